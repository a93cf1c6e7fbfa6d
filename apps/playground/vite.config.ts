import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { repoAssets } from './build/repo-assets.js';

/**
 * Cross-origin isolation: with these two headers the page gets
 * SharedArrayBuffer, which multi-threaded WebAssembly needs (ONNX Runtime
 * Web's and tfjs-wasm's threads, the ndarray backend's workers). Without
 * them everything still runs, on one thread. A static host serving `dist/`
 * must send the same headers to get threads (docs/playground.md).
 */
/** ONNX Runtime Web's WebAssembly-only ES module (its `./wasm` export), as an absolute path for the alias below. */
const ortWeb = fileURLToPath(import.meta.resolve('onnxruntime-web/wasm'));

const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  // Relative URLs: the built app works from any path of a static host.
  base: './',
  resolve: {
    // Workspace packages from source (the @sas/source condition), as the tests use them: no tsc build needed.
    conditions: ['@sas/source', ...defaultClientConditions],
    // @sas/onnx loads 'onnxruntime-node' on first use; in the page the same API is ONNX Runtime Web's
    // (both are onnxruntime-common's InferenceSession and Tensor), its WebAssembly build only.
    alias: { 'onnxruntime-node': ortWeb },
  },
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  plugins: [repoAssets()],
});
