import * as tf from '@tensorflow/tfjs-core';
import { createKernelBackend, type Backend, type Feeds, type RunOptions, type Tensor } from '@sas/core';
import { materialize, overValues, TFJS_FUSION, type BatchContraction, type TfjsValue } from './deferred.js';
import { TFJS_KERNELS } from './kernels/index.js';
import { activateTfjsMode, switchTfjsBackend, type TfjsModeOptions } from './modes.js';
import { availableModes } from './env.js';

// The kernels plus deferred batched products (see deferred.ts): the backend
// sees whole graphs, so it can spare gradient graphs their largest buffers. Kernels over executor values.
const KERNELS = overValues(TFJS_KERNELS);

/** Options of `createTfjsBackend`. */
export interface TfjsBackendOptions extends TfjsModeOptions {
  /** tfjs backend to run on: 'wasm' (default in Node) or 'cpu'; 'webgl'/'webgpu' in a browser. */
  readonly mode?: string;
}

/** The tfjs `Backend`, plus a count of graph values it currently holds (0 between runs). */
export interface TfjsBackend extends Backend {
  readonly liveHandles: () => number;
}

/** Largest tensor (elements) the tfjs wasm mode is given: 1 GiB of float32, a quarter of wasm's 4 GiB memory. */
export const TFJS_WASM_MAX_ELEMENTS = 2 ** 28 - 1;

/**
 * Creates a backend that runs @sas/core graphs on TensorFlow.js ops, on the
 * tfjs backend named by `mode`, which it activates and verifies (an
 * unavailable mode is an `E_BACKEND` error, not tfjs's silent fallback).
 * float32 only: tfjs has no float64. Every intermediate tensor is disposed
 * after its last use, so `tf.memory().numTensors` is unchanged by a run.
 *
 * tfjs has one active backend per process; each `run` re-activates this
 * backend's mode first, so backends of different modes can coexist.
 *
 * @example
 * ```ts
 * import { buildLayer, initParams, randomNormal } from '@sas/core';
 * import { createTfjsBackend } from '@sas/backend-tfjs';
 * const config = { kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * const backend = await createTfjsBackend({ mode: 'wasm' });
 * const x = randomNormal([1, 8, 2, 4], 1);
 * const { output } = await backend.run(buildLayer(config), { query: x, key: x, value: x, ...initParams(config, 7) });
 * ```
 */
export async function createTfjsBackend(options: TfjsBackendOptions = {}): Promise<TfjsBackend> {
  const mode = options.mode ?? availableModes()[0];
  await activateTfjsMode(mode, options);
  const inner = createKernelBackend<TfjsValue, void, BatchContraction>({
    name: 'tfjs',
    mode,
    dtypes: ['float32'],
    kernels: KERNELS,
    // tfjs kernels need nothing beyond their inputs and node.
    context: () => undefined,
    upload: (t) => tf.tensor(t.data, [...t.shape], 'float32'),
    // A copy: on the cpu backend `data()` can hand out the tensor's own storage,
    // which for an output that is a fed input is the caller's array.
    download: async (h, node) => ({ dtype: node.dtype, shape: [...node.shape], data: new Float32Array(await materialize(h).data<'float32'>()) }),
    release: (h) => h.dispose(),
    // Batched products folded into the sum over their batch (deferred.ts), as a core rewrite.
    fusion: TFJS_FUSION,
    // The wasm backend keeps every tensor in one WebAssembly memory (at most 4 GiB): a tensor
    // over 1 GiB cannot fit beside its operands, and tfjs fails deep inside with "memory access
    // out of bounds" (SAS at T = 8192), so refuse it first with the usual one-line message.
    ...(mode === 'wasm' ? { maxElements: TFJS_WASM_MAX_ELEMENTS } : {}),
  });
  return {
    name: 'tfjs',
    mode,
    dtypes: inner.dtypes,
    liveHandles: inner.liveHandles,
    run: async (graph, feeds: Feeds, runOptions?: RunOptions): Promise<Record<string, Tensor>> => {
      if (tf.engine().backendName !== mode) await switchTfjsBackend(mode);
      return inner.run(graph, feeds, runOptions);
    },
    dispose: () => inner.dispose(),
  };
}
