import { SasError } from '../errors.js';
import type { Graph } from '../ir/types.js';
import { castTensor, type Tensor } from '../tensor.js';
import { createKernelBackend } from '../backend/kernel-backend.js';
import type { Backend, BackendProvider, Feeds, GraphContext, KernelFn, KernelTable, RunOptions } from '../backend/types.js';
import type { OpDef, RefTensor } from '../ops/op.js';
import { OPS, type OpAttrs, type PrimitiveName } from '../ops/table.js';

/** The kernel that runs `op` by its float64 definition. */
function evaluateKernel<N extends PrimitiveName>(op: OpDef<N, OpAttrs<N>>): KernelFn<RefTensor, GraphContext, N> {
  return (inputs, node) => ({ shape: node.shape, data: op.evaluate(inputs, node.attrs, node.shape) });
}

/**
 * Every primitive op's float64 definition, as a kernel over host tensors: the
 * reference backend's table, and a base for a backend that replaces a few.
 * Composite ops (Attention) run through their decomposition, so the size
 * check sees the Tq×Tk scores this backend really allocates.
 *
 * @example
 * ```ts
 * import { REFERENCE_KERNELS } from '@sas/core';
 * const x = { shape: [2], data: Float64Array.of(0, 1) };
 * const node = { id: 1, op: 'Exp', inputs: [0], attrs: {}, shape: [2], dtype: 'float64' } as const;
 * REFERENCE_KERNELS.Exp([x], node, { graph: { dtype: 'float64', nodes: [], outputs: {} } }).data; // [1, e]
 * ```
 */
export const REFERENCE_KERNELS = Object.freeze({
  Add: evaluateKernel(OPS.Add),
  Sub: evaluateKernel(OPS.Sub),
  Mul: evaluateKernel(OPS.Mul),
  Div: evaluateKernel(OPS.Div),
  Equal: evaluateKernel(OPS.Equal),
  Neg: evaluateKernel(OPS.Neg),
  Exp: evaluateKernel(OPS.Exp),
  Log: evaluateKernel(OPS.Log),
  Sqrt: evaluateKernel(OPS.Sqrt),
  Relu: evaluateKernel(OPS.Relu),
  Step: evaluateKernel(OPS.Step),
  MatMul: evaluateKernel(OPS.MatMul),
  Conv1d: evaluateKernel(OPS.Conv1d),
  ReduceSum: evaluateKernel(OPS.ReduceSum),
  ReduceMax: evaluateKernel(OPS.ReduceMax),
  Softmax: evaluateKernel(OPS.Softmax),
  CausalMask: evaluateKernel(OPS.CausalMask),
  Reshape: evaluateKernel(OPS.Reshape),
  Transpose: evaluateKernel(OPS.Transpose),
  BroadcastTo: evaluateKernel(OPS.BroadcastTo),
  Flip: evaluateKernel(OPS.Flip),
} satisfies KernelTable<RefTensor, GraphContext>);

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
  return createKernelBackend<RefTensor, GraphContext>({
    name: 'reference',
    mode: 'float64',
    dtypes: ['float64', 'float32'],
    kernels: REFERENCE_KERNELS,
    context: (graph) => ({ graph }),
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
