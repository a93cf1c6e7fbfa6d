/**
 * tfjs in the page. Importing `@tensorflow/tfjs-backend-wasm` here (rather
 * than letting @sas/backend-tfjs load it on first use) registers its flags,
 * so one can be set before the wasm backend starts:
 *
 * tfjs-wasm's multi-threaded build starts its pthread workers from a blob
 * that loads the *main script* by URL and calls the Emscripten factory it
 * defines as a global; inside an ES-module bundle there is no such script or
 * global, and every worker dies with "ReferenceError: e is not defined"
 * (measured in Chromium 156 with this app's vite build). So the page turns
 * tfjs's threads off: tfjs-wasm runs its SIMD build on one thread, isolated
 * page or not.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

/**
 * Where tfjs-wasm finds its three `.wasm` files: `tfjs-wasm/` beside the page
 * (build/repo-assets.ts puts them there).
 *
 * @example
 * ```ts
 * import { tfjsWasmPaths } from './tfjs-setup.js';
 * tfjsWasmPaths(); // 'http://localhost:5173/tfjs-wasm/'
 * ```
 */
export function tfjsWasmPaths(): string {
  return new URL('tfjs-wasm/', document.baseURI).href;
}
