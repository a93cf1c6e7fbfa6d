import { SasError } from '../errors.js';
import { constantValues, leafName, type Graph, type GraphNode } from '../ir/types.js';
import { castTensor, type Tensor } from '../tensor.js';
import { mergeCommonSubexpressions } from './cse.js';
import { checkFeeds } from './feeds.js';
import { lowerGraph } from './lower.js';
import { planExecution } from './plan.js';
import { checkCapacity, checkFeedDtypes, checkTensorCapacity } from './preflight.js';
import { kernelFor } from './kernel-table.js';
import { NO_REWRITES, type FusedPayload, type RewritePlan } from './rewrite.js';
import { DEFAULT_MAX_ELEMENTS, type Backend, type Feeds, type KernelBackendSpec, type RunOptions } from './types.js';

/**
 * Turns a table of kernels into a `Backend`: lowers ops without kernels through
 * their decompositions, applies the backend's fusions (`spec.fusion`: rewrites
 * into fused nodes, planned once per graph), evaluates only what the requested
 * outputs need, and releases every intermediate handle right after its last use.
 *
 * @example
 * ```ts
 * import { createKernelBackend, REFERENCE_KERNELS } from '@sas/core';
 * // A toy backend whose handles are float64 host tensors: the reference kernels with its own Exp.
 * const backend = createKernelBackend({
 *   name: 'toy', mode: 'cpu', dtypes: ['float64'],
 *   kernels: { ...REFERENCE_KERNELS, Exp: ([x], node) => ({ shape: node.shape, data: x.data.map(Math.exp) }) },
 *   context: (graph) => ({ graph }),
 *   upload: (t) => ({ shape: t.shape, data: Float64Array.from(t.data) }),
 *   download: (h, node) => ({ dtype: node.dtype, shape: node.shape, data: h.data }),
 *   release: () => {},
 * });
 * ```
 */
export function createKernelBackend<H, C, F extends FusedPayload = FusedPayload>(
  spec: KernelBackendSpec<H, C, F>,
): Backend & { readonly liveHandles: () => number } {
  const lowered = new WeakMap<Graph, Graph>();
  const fusionPlans = new WeakMap<Graph, RewritePlan<F>>();
  const hasKernel = (op: string) => kernelFor(spec.kernels, op) !== undefined;
  let live = 0;
  let disposed = false;

  const lower = (graph: Graph): Graph => {
    let g = lowered.get(graph);
    if (!g) {
      g = lowerGraph(graph, hasKernel, spec.name);
      if (spec.fusion?.mergeCommon) g = mergeCommonSubexpressions(g);
      lowered.set(graph, g);
    }
    return g;
  };

  // With `oneRunAtATime`, each run starts once the previous one has settled.
  let previous: Promise<unknown> = Promise.resolve();
  const run = (graph: Graph, feeds: Feeds, options: RunOptions = {}): Promise<Record<string, Tensor>> => {
    if (!spec.oneRunAtATime) return runAndEnd(graph, feeds, options);
    const result = previous.then(() => runAndEnd(graph, feeds, options));
    previous = result.catch(() => undefined);
    return result;
  };

  const runAndEnd = async (graph: Graph, feeds: Feeds, options: RunOptions): Promise<Record<string, Tensor>> => {
    try {
      return await runOnce(graph, feeds, options);
    } finally {
      spec.endRun?.();
    }
  };

  const runOnce = async (graph: Graph, feeds: Feeds, options: RunOptions): Promise<Record<string, Tensor>> => {
    if (disposed) throw new SasError('E_BACKEND', `backend '${spec.name}' was disposed`);
    if (!spec.dtypes.includes(graph.dtype)) {
      throw new SasError('E_DTYPE', `backend '${spec.name}' (${spec.mode}) runs ${spec.dtypes.join('/')} graphs, got a ${graph.dtype} graph`);
    }
    const g = lower(graph);
    const plan = planExecution(g, options.outputs);
    checkFeeds(g, plan.feeds, feeds, options.nonFinite ?? 'error');
    checkFeedDtypes(plan.feeds, feeds);
    let fusion = fusionPlans.get(g);
    if (!fusion) {
      fusion = spec.fusion ? spec.fusion.plan(g) : NO_REWRITES;
      fusionPlans.set(g, fusion);
    }
    // Before the first upload: a tensor too large for this backend is a clear error, not a RangeError or an OOM.
    // Only what is really allocated counts: absorbed nodes never are, fused nodes' scratch tensors are.
    const allocated = plan.order.filter((id) => !fusion.absorbed.has(id));
    const limit = spec.maxElements ?? DEFAULT_MAX_ELEMENTS;
    const label = `'${spec.name}' (${spec.mode})`;
    checkCapacity(g, allocated, limit, label);
    for (const id of allocated) {
      for (const shape of fusion.fused.get(id)?.allocates ?? [])
        checkTensorCapacity(`a scratch tensor of fused node ${id} (${g.nodes[id].op})`, shape, limit, label);
    }
    const ctx = spec.context(g);
    const values = new Map<number, H>();
    const free = (id: number) => {
      const h = values.get(id);
      if (h !== undefined) {
        spec.release(h);
        live--;
        values.delete(id);
      }
    };
    try {
      plan.order.forEach((id, position) => {
        const node = g.nodes[id];
        values.set(id, evaluateNode(spec, g, node, values, feeds, ctx, fusion));
        live++;
        for (const input of new Set(node.inputs)) if (plan.lastUse.get(input) === position) free(input);
      });
      const result: Record<string, Tensor> = {};
      for (const [name, id] of Object.entries(plan.outputs)) result[name] = await spec.download(values.get(id)!, g.nodes[id]);
      return result;
    } finally {
      for (const id of [...values.keys()]) free(id);
    }
  };

  return {
    name: spec.name,
    mode: spec.mode,
    dtypes: spec.dtypes,
    run,
    liveHandles: () => live,
    dispose: async () => {
      disposed = true;
      await spec.dispose?.();
    },
  };
}

function evaluateNode<H, C, F extends FusedPayload>(
  spec: KernelBackendSpec<H, C, F>,
  graph: Graph,
  node: GraphNode,
  values: Map<number, H>,
  feeds: Feeds,
  ctx: C,
  fusion: RewritePlan<F>,
): H {
  if (node.op === 'Input' || node.op === 'Param') {
    const t = feeds[leafName(node)];
    return spec.upload(t.dtype === graph.dtype ? t : castTensor(t, graph.dtype));
  }
  if (node.op === 'Constant') {
    return spec.upload(castTensor({ dtype: 'float64', shape: node.shape, data: Float64Array.from(constantValues(node)) }, graph.dtype));
  }
  // Lowering left only ops with kernels.
  const kernel = kernelFor(spec.kernels, node.op)!;
  const inputs = node.inputs.map((i) => values.get(i)!);
  if (spec.fusion && fusion.absorbed.has(node.id)) return spec.fusion.absorb(inputs, node, ctx, (handles) => kernel(handles, node, ctx));
  const fused = fusion.fused.get(node.id);
  if (spec.fusion && fused) {
    const fusedKernel = (spec.fusion.kernels as unknown as Record<string, (i: readonly H[], n: GraphNode, p: F, c: C) => H | undefined>)[fused.payload.kind];
    const out = fusedKernel(inputs, node, fused.payload, ctx);
    if (out !== undefined) return out;
  }
  return kernel(inputs, node, ctx);
}
