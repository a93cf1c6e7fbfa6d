import { createKernelBackend, SasError, type Backend, type BackendProvider, type Graph, type Kernel, type Tensor } from '@sas/core';
import { materialize, type NdKernel, type Value } from './deferred.js';
import { wrap, type FloatData } from './handle.js';
import { NDARRAY_KERNELS } from './kernels/index.js';
import { NDARRAY_TOLERANCE } from './tolerance.js';

/** Options of `createNdarrayBackend`. */
export interface NdarrayBackendOptions {
  /** Only 'cpu' exists; anything else is an `E_BACKEND` error. */
  readonly mode?: string;
}

/** A ready ndarray backend; `liveHandles` counts values the executor still holds (0 between runs). */
export type NdarrayBackend = Backend & { readonly liveHandles: () => number };

/** Kernels over executor values: inputs are materialised before the ndarray kernel runs. */
function liftKernel(kernel: NdKernel): Kernel<Value> {
  return (inputs, node, inputNodes) => kernel(inputs.map(materialize), node, inputNodes);
}

/**
 * Creates the ndarray CPU backend: float32 (native) or float64 graphs, every
 * core op a hand-written kernel over ndarray views.
 *
 * @example
 * ```ts
 * import { buildLayer, initParams, randomNormal } from '@sas/core';
 * import { createNdarrayBackend } from '@sas/backend-ndarray';
 * const config = { kind: 'mha', batch: 1, seqLen: 8, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
 * const backend = createNdarrayBackend();
 * const x = randomNormal([1, 8, 2, 4], 1);
 * const { output } = await backend.run(buildLayer(config), { query: x, key: x, value: x, ...initParams(config, 2) });
 * output.shape; // [1, 8, 8]
 * ```
 */
export function createNdarrayBackend(options: NdarrayBackendOptions = {}): NdarrayBackend {
  if (options.mode !== undefined && options.mode !== 'cpu') {
    throw new SasError('E_BACKEND', `backend 'ndarray' has one mode, 'cpu'; got '${options.mode}'`);
  }
  // Storage handed to the caller (feeds, returned outputs): never handed out twice, so
  // two outputs, or an output and a feed, never share an array.
  const exposed = new WeakSet<FloatData>();
  const kernels = Object.fromEntries(Object.entries(NDARRAY_KERNELS).map(([op, k]) => [op, liftKernel(k)]));
  return createKernelBackend<Value>({
    name: 'ndarray',
    mode: 'cpu',
    dtypes: ['float32', 'float64'],
    kernels,
    upload: (t: Tensor) => {
      exposed.add(t.data);
      return wrap(t.data, t.shape);
    },
    download: (v, node) => {
      const h = materialize(v);
      const data = exposed.has(h.data) ? h.data.slice() : h.data;
      exposed.add(data);
      return { dtype: node.dtype, shape: [...node.shape], data };
    },
    // Storage is garbage-collected; nothing to free eagerly.
    release: () => {},
  });
}

/**
 * The ndarray backend as the CLI and the conformance suite see it.
 *
 * @example
 * ```ts
 * import { ndarrayProvider } from '@sas/backend-ndarray';
 * const backend = await ndarrayProvider.create({ mode: 'cpu' });
 * ndarrayProvider.tolerance('cpu').atol; // 1e-4
 * ```
 */
export const ndarrayProvider: BackendProvider = {
  name: 'ndarray',
  modes: ['cpu'],
  description: 'CPU kernels on ndarray views over Float32Array (float64 too): register-tiled matmul, fused softmax, no decompositions',
  tolerance: (mode) => {
    if (mode !== 'cpu') throw new SasError('E_BACKEND', `backend 'ndarray' has one mode, 'cpu'; got '${mode}'`);
    return NDARRAY_TOLERANCE;
  },
  create: async (options) => createNdarrayBackend({ mode: options?.mode }),
};

