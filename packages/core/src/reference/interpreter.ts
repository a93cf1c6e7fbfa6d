import { SasError } from '../errors.js';
import type { Graph, GraphNode } from '../ir/types.js';
import { castTensor, type Tensor } from '../tensor.js';
import { createKernelBackend } from '../backend/kernel-backend.js';
import type { Backend, BackendProvider, Feeds, Kernel, RunOptions } from '../backend/types.js';
import { OP_NAMES, OPS, type RefTensor } from '../ops/index.js';

/**
 * Every primitive op's float64 definition, as a kernel over host tensors.
 * Composite ops (Attention) run through their decomposition, so the size
 * check sees the Tq×Tk scores this backend really allocates.
 */
const referenceKernels: Record<string, Kernel<RefTensor>> = Object.fromEntries(
  OP_NAMES.map((name) => OPS[name]).map((op) => [
    op.name,
    (inputs: readonly RefTensor[], node: GraphNode): RefTensor => ({ shape: node.shape, data: op.evaluate(inputs, node.attrs, node.shape) }),
  ]),
);

/**
 * Creates the float64 reference backend: every op computed by its readable
 * definition in float64, whatever the graph's dtype (a float32 graph's outputs
 * are rounded to float32 at the end). Slow by design; it is the oracle.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, tensor, createReferenceBackend } from '@sas/core';
 * const b = new GraphBuilder('float64');
 * b.output('y', exp(b.input('x', [2])));
 * const out = await createReferenceBackend().run(b.build(), { x: tensor([0, 1], [2]) });
 * out.y.data; // Float64Array [1, 2.718281828459045]
 * ```
 */
export function createReferenceBackend(): Backend & { readonly liveHandles: () => number } {
  return createKernelBackend<RefTensor>({
    name: 'reference',
    mode: 'float64',
    dtypes: ['float64', 'float32'],
    kernels: referenceKernels,
    upload: (t) => ({ shape: t.shape, data: t.data instanceof Float64Array ? t.data : Float64Array.from(t.data) }),
    download: (h, node) => castTensor({ dtype: 'float64', shape: h.shape, data: h.data }, node.dtype),
    release: () => {},
  });
}

/**
 * Evaluates a graph in float64 with the reference backend.
 *
 * @example
 * ```ts
 * import { GraphBuilder, add, tensor, evaluateReference } from '@sas/core';
 * const b = new GraphBuilder('float64');
 * b.output('y', add(b.input('x', [2]), 1));
 * (await evaluateReference(b.build(), { x: tensor([1, 2], [2]) })).y.data; // [2, 3]
 * ```
 */
export function evaluateReference(graph: Graph, feeds: Feeds, options?: RunOptions): Promise<Record<string, Tensor>> {
  return createReferenceBackend().run(graph, feeds, options);
}

/** The reference backend as the CLI and conformance suite see it. */
export const referenceProvider: BackendProvider = {
  name: 'reference',
  modes: ['float64'],
  description: 'float64 interpreter of every op: the readable definition and the oracle',
  tolerance: () => ({ atol: 1e-9, rtol: 1e-9, gradAtol: 1e-8, gradRtol: 1e-8 }),
  create: async (options) => {
    if (options?.mode && options.mode !== 'float64') {
      throw new SasError('E_BACKEND', `backend 'reference' has one mode, 'float64'; got '${options.mode}'`);
    }
    return createReferenceBackend();
  },
};
