/**
 * The backends the page offers, each a way to run @sas/core graphs in this
 * browser: how to start it, the tolerance the conformance verdict holds it
 * to (the backend package's own, per mode), and whether the browser can run
 * it at all (a probe that says why not).
 */
import type { Backend, ModelTolerance, Tolerance } from '@sas/core';
import { createGpujsBackend, gpujsModelTolerance, gpujsTolerance, probeMode } from '@sas/backend-gpujs';
import { createNdarrayBackend, ndarrayProvider } from '@sas/backend-ndarray';
import { createTfjsBackend, tfjsProvider } from '@sas/backend-tfjs';
import { modelToleranceFor } from '@sas/conformance/portable';
import { createOnnxBackend, ONNX_MODEL_TOLERANCE, ONNX_TOLERANCE } from '@sas/onnx';
import { tfjsWasmPaths } from './tfjs-setup.js';

/** One backend of the picker. */
export interface PageBackend {
  /** Stable id, used in the DOM (`data-backend`) and by the tests. */
  readonly id: string;
  readonly label: string;
  /** One line on what runs and where (shown under the picker). */
  readonly note: string;
  /** Undefined when the browser can run it; else why not (one line). */
  probe(): Promise<string | undefined>;
  create(): Promise<Backend>;
  tolerance(mode: string): Tolerance;
  /** The tolerance on the char GPT fixtures (the package's own: updated params at its step bound, docs/models.md). */
  modelTolerance(mode: string): ModelTolerance;
  /** How to name the started backend's mode in the page (default: `backend.mode`). */
  readonly modeName?: (mode: string) => string;
}

const webgl2Context = (): boolean => {
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
};

/** Every backend of the picker, in its order (the default first). */
export const PAGE_BACKENDS: readonly PageBackend[] = [
  {
    id: 'ndarray',
    label: 'ndarray (wasm SIMD)',
    note: 'the default CPU backend: WebAssembly SIMD matrix engine and fused attention, on the page thread, one thread (its thread pool is Node worker_threads; in a browser it runs single-threaded)',
    probe: async () => (typeof WebAssembly === 'object' ? undefined : 'no WebAssembly'),
    create: async () => createNdarrayBackend({ threads: 1 }),
    tolerance: (mode) => ndarrayProvider.tolerance(mode),
    modelTolerance: (mode) => modelToleranceFor(ndarrayProvider, mode),
  },
  {
    id: 'tfjs-webgl',
    label: 'tfjs webgl',
    note: 'TensorFlow.js 4.22 on WebGL2 (float32 render targets), kernels as fragment shaders',
    probe: async () => (webgl2Context() ? undefined : 'no WebGL2 context in this browser'),
    create: () => createTfjsBackend({ mode: 'webgl' }),
    tolerance: (mode) => tfjsProvider.tolerance(mode),
    modelTolerance: (mode) => modelToleranceFor(tfjsProvider, mode),
  },
  {
    id: 'tfjs-wasm',
    label: 'tfjs wasm',
    note: 'TensorFlow.js 4.22 on WebAssembly (XNNPACK, SIMD, one thread: its threaded build cannot load from a bundle, see docs/playground.md)',
    probe: async () => (typeof WebAssembly === 'object' ? undefined : 'no WebAssembly'),
    create: () => createTfjsBackend({ mode: 'wasm', wasmPaths: tfjsWasmPaths() }),
    tolerance: (mode) => tfjsProvider.tolerance(mode),
    modelTolerance: (mode) => modelToleranceFor(tfjsProvider, mode),
  },
  {
    id: 'gpujs-webgl2',
    label: 'gpu.js webgl2',
    note: 'gpu.js 2.24 kernels as GLSL ES 3.0 shaders on WebGL2',
    probe: async () => {
      const probe = await probeMode('webgl2');
      return probe.available ? undefined : (probe.reason ?? 'webgl2 unavailable');
    },
    create: () => createGpujsBackend({ mode: 'webgl2' }),
    tolerance: (mode) => gpujsTolerance(mode),
    modelTolerance: (mode) => gpujsModelTolerance(mode),
  },
  {
    id: 'onnx-wasm',
    label: 'ONNX Runtime Web (wasm)',
    note: 'each graph exported to ONNX (opset 18) by @sas/onnx and run by ONNX Runtime Web 1.30 on WebAssembly (threads when cross-origin isolated: half the cores, at most 4)',
    probe: async () => (typeof WebAssembly === 'object' ? undefined : 'no WebAssembly'),
    create: () => createOnnxBackend(),
    tolerance: () => ONNX_TOLERANCE,
    modelTolerance: () => ONNX_MODEL_TOLERANCE,
    // @sas/onnx calls its one ONNX Runtime mode 'cpu'; in the page that runtime is ORT Web's WebAssembly build.
    modeName: () => 'ORT Web wasm',
  },
];

/**
 * The picker's entry for `id`.
 *
 * @example
 * ```ts
 * pageBackend('ndarray').label; // 'ndarray (wasm SIMD)'
 * ```
 */
export function pageBackend(id: string): PageBackend {
  const found = PAGE_BACKENDS.find((b) => b.id === id);
  if (!found) throw new Error(`no backend '${id}' in the page (${PAGE_BACKENDS.map((b) => b.id).join(', ')})`);
  return found;
}
