import {
  checkCapacity,
  createKernelBackend,
  kernelFor,
  lowerGraph,
  mergeCommonSubexpressions,
  isOpNode,
  mapKernels,
  fmtShape,
  sizeOf,
  DEFAULT_MAX_ELEMENTS,
  SasError,
  type Backend,
  type BackendProvider,
  type Graph,
  type GraphNode,
  type KernelFn,
  type OpName,
  type Tensor,
} from '@sas/core';
import type { KernelContext } from './context.js';
import { Deferred, materialize, type NdKernel, type Value } from './deferred.js';
import { attentionFromChain } from './fusion/attention.js';
import { gateFromChain } from './fusion/gate.js';
import { attentionGradFor, type SiblingResults } from './fusion/attention-grad-group.js';
import { gemmFromChain, productKernel } from './fusion/gemm.js';
import { convWeightGradFromChain } from './fusion/conv-weight-grad.js';
import { elementwiseFromGroup } from './fusion/elementwise.js';
import { planFusion, type FusionRole } from './fusion/plan.js';
import { wrap, type FloatData } from './handle.js';
import { activate, activePool, StoragePool } from './storage-pool.js';
import { NDARRAY_KERNELS } from './kernels/index.js';
import { jsGemm } from './lib/gemm.js';
import { NDARRAY_MODEL_TOLERANCE, NDARRAY_TOLERANCE } from './tolerance.js';
import { WasmGemm } from './wasm/engine.js';
import { WasmRuntime, wasmSimdAvailable } from './wasm/runtime.js';
import { ThreadedGemm } from './threads/gemm.js';
import { availableCores, workerThreads } from './threads/node.js';
import { ThreadPool } from './threads/pool.js';

/** Options of `createNdarrayBackend`. */
export interface NdarrayBackendOptions {
  /** Only 'cpu' exists; anything else is an `E_BACKEND` error. */
  readonly mode?: string;
  /**
   * Float32 matrix products on the WebAssembly SIMD kernel: `undefined`
   * (default) uses it where the runtime supports it, `true` requires it (an
   * `E_BACKEND` error where missing), `false` keeps to plain JavaScript.
   */
  readonly simd?: boolean;
  /** Products smaller than this many multiply-adds stay in JS (copy overhead); default 4096. */
  readonly simdMinWork?: number;
  /** Called after every kernel with the op name (or fused kernel), its wall time in ms and the node (for profiling; off by default). */
  readonly onKernel?: (op: string, ms: number, node: GraphNode) => void;
  /**
   * Fuse `softmax(mask(q·kᵀ·c))·v` chains into one blocked attention kernel
   * (default true). Off, every node runs its own kernel.
   */
  readonly fuse?: boolean;
  /**
   * Threads for large float32 products and the fused attention (heads split,
   * rows split), counting the calling one: default the available cores; 1
   * runs everything on the calling thread. Workers (`worker_threads`, Node
   * only; elsewhere always 1) start on first use and end on `dispose()`.
   */
  readonly threads?: number;
  /**
   * Exempt the Tq×Tk scores of Attention / AttentionGrad nodes and of fused
   * primitive attention chains (which this backend never stores) from the
   * 2^31-element limit every backend applies before running (default false:
   * refused like everywhere else, as the conformance catalogue expects). True
   * lets attention, forward and backward, run at long T (e.g. T = 16384) in
   * memory linear in T.
   */
  readonly longSequences?: boolean;
  /**
   * Bytes of storage kept from one run for the next (default 512 MiB; 0
   * turns recycling off). A run takes the arrays an earlier run of any
   * graph dropped instead of fresh memory (`StoragePool`): a training loop
   * then allocates almost nothing after its first step.
   */
  readonly reuseStorage?: number;
}

/** Default of `reuseStorage`: enough for every intermediate of the benchmark model's training step. */
export const DEFAULT_REUSE_BYTES = 512 << 20;

/** A ready ndarray backend. */
export type NdarrayBackend = Backend & {
  /** Values the executor still holds (0 between runs). */
  readonly liveHandles: () => number;
  /** The matrix-product engine in use: 'wasm-simd' or 'js'. */
  readonly gemm: string;
  /** Threads the heavy kernels use (1: no workers). */
  readonly threads: number;
};

/**
 * The executor's kernel for one op: deferred when the node is inside a fused
 * chain, the fused kernel on the chain's last node, else the op's own kernel
 * on materialised inputs. Timed when `onKernel` is set.
 */
function liftKernel<N extends OpName>(
  op: N,
  kernel: NdKernel<N>,
  roles: WeakMap<GraphNode, FusionRole>,
  onKernel: NdarrayBackendOptions['onKernel'],
): KernelFn<Value, KernelContext, N> {
  // Gradients of one attention computed ahead of their nodes, by the first sibling to run.
  const siblingResults: SiblingResults = new WeakMap();
  const run: KernelFn<Value, KernelContext, N> = (inputs, node, ctx) => {
    const role = roles.get(node);
    if (role?.kind === 'defer') {
      const deferred = new Deferred(node, inputs, (handles) => kernel(handles, node, ctx));
      ctx.deferred?.set(node.id, deferred);
      return deferred;
    }
    if (role?.kind === 'attention-grad' && isOpNode(node, 'AttentionGrad')) return attentionGradFor(inputs, node, role.siblings, ctx, siblingResults);
    if (role?.kind === 'attention') {
      const fused = attentionFromChain(inputs, node, role, ctx);
      if (fused) return fused;
    }
    if (role?.kind === 'gemm') {
      const fused = gemmFromChain(inputs, node, role, ctx);
      if (fused) return fused;
    }
    if (role?.kind === 'conv-weight-grad' && isOpNode(node, 'Conv1d')) {
      const fused = convWeightGradFromChain(inputs, node, ctx);
      if (fused) return fused;
    }
    if (role?.kind === 'gate') {
      const fused = gateFromChain(inputs, node, role, ctx);
      if (fused) return fused;
    }
    if (role?.kind === 'elementwise') {
      const fused = elementwiseFromGroup(inputs, node, role, ctx);
      if (fused) return fused;
    }
    // A product whose operand is deferred (a Relu it reads through): the product kernel stages it.
    if ((op === 'MatMul' && inputs.some((v) => v instanceof Deferred)) || (op === 'Conv1d' && inputs[0] instanceof Deferred))
      return productKernel(inputs, node, ctx);
    return kernel(inputs.map(materialize), node, ctx);
  };
  if (!onKernel) return run;
  return (inputs, node, ctx) => {
    const t0 = performance.now();
    const out = run(inputs, node, ctx);
    // Deferred nodes cost nothing here; their work is reported under the fused kernel that absorbs them.
    if (!(out instanceof Deferred)) onKernel(fusedLabel(op, roles.get(node)), performance.now() - t0, node);
    return out;
  };
}

/** Profile label: the op, or the fused kernel a chain became. */
function fusedLabel(op: string, role: FusionRole | undefined): string {
  if (role?.kind === 'attention') return 'Attention(fused)';
  if (role?.kind === 'attention-grad') return 'AttentionGrad(fused)';
  if (role?.kind === 'gate') return role.addend === undefined ? 'Mul+Step(fused)' : 'Add+Mul+Step(fused)';
  if (role?.kind === 'conv-weight-grad') return 'Conv1dWeightGrad(fused)';
  if (role?.kind === 'gemm') return `${role.baseOp}+Add${role.relu ? '+Relu' : ''}(fused)`;
  if (role?.kind === 'elementwise') return role.sum ? 'Elementwise+Sum(fused)' : 'Elementwise(fused)';
  return op;
}

/**
 * Refuses Attention / AttentionGrad nodes whose Tq×Tk scores exceed
 * `maxElements`, as every backend that stores them must: this one never
 * does, but keeps the common limit unless `longSequences` is set, so a
 * graph refused elsewhere is refused here too.
 */
function checkAttentionScores(graph: Graph, maxElements: number, backend: string): void {
  for (const node of graph.nodes) {
    if (node.op !== 'Attention' && node.op !== 'AttentionGrad') continue;
    const out = node.op === 'Attention' ? node.shape : graph.nodes[node.inputs[3]].shape;
    const scores = [...out.slice(0, -1), graph.nodes[node.inputs[1]].shape.at(-2)!];
    const n = sizeOf(scores);
    if (n > maxElements) {
      throw new SasError(
        'E_BACKEND',
        `backend ${backend}: node ${node.id} (${node.op}) scores of shape ${fmtShape(scores)} have ${n} elements, more than the ${maxElements} one tensor may hold here (refused before allocating; this backend never stores them: pass longSequences: true, or use a smaller seqLen or batch)`,
      );
    }
  }
}

/** The engines for the options: the SIMD runtime where asked for and available, else plain JS. */
function chooseEngines(options: NdarrayBackendOptions): KernelContext {
  if (options.simd === false) return { gemm: jsGemm };
  if (!wasmSimdAvailable()) {
    if (options.simd === true) throw new SasError('E_BACKEND', "backend 'ndarray': simd: true was asked for, but this runtime has no WebAssembly SIMD");
    return { gemm: jsGemm };
  }
  const wasm = new WasmRuntime();
  const base = new WasmGemm(wasm, options.simdMinWork);
  const threads = threadCount(options.threads);
  if (threads === 1) return { gemm: base, wasm };
  const pool = new ThreadPool(threads);
  return { gemm: new ThreadedGemm(base, pool), wasm, pool };
}

/** The `threads` option checked: default the cores available; more than 1 only where worker_threads exist. */
function threadCount(threads: number | undefined): number {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new SasError('E_BACKEND', `backend 'ndarray': option threads must be an integer ≥ 1, got ${threads}`);
  }
  if (!workerThreads()) return 1;
  return threads ?? availableCores();
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
  const ctx = chooseEngines(options);
  const reuse = options.reuseStorage ?? DEFAULT_REUSE_BYTES;
  if (!(Number.isSafeInteger(reuse) && reuse >= 0))
    throw new SasError('E_BACKEND', `backend 'ndarray': option reuseStorage must be a whole number of bytes ≥ 0, got ${reuse}`);
  const pool = reuse > 0 ? new StoragePool(reuse) : undefined;
  // Fusion roles by node; graphs are planned once (all ops have kernels, so the
  // executor runs the graph it is given, the caller's with common subexpressions
  // merged, and its nodes are the keys).
  const roles = new WeakMap<GraphNode, FusionRole>();
  const planned = new WeakSet<Graph>();
  const kernels = mapKernels(NDARRAY_KERNELS, (op, kernel) => liftKernel(op, kernel, roles, options.onKernel));
  const backend = createKernelBackend<Value, KernelContext>({
    name: 'ndarray',
    mode: 'cpu',
    dtypes: ['float32', 'float64'],
    kernels,
    // The engines, the same for every run, and this run's deferred nodes (no kernel here needs the graph).
    // Called right before the synchronous kernel loop: from here to the first download, allocations are this run's.
    context: () => {
      activate(pool);
      return { ...ctx, deferred: new Map() };
    },
    upload: (t: Tensor) => {
      exposed.add(t.data);
      return wrap(t.data, t.shape);
    },
    download: (v, node) => {
      // The kernel loop is over: stop recording (a deferred value computed now stays out of the pool).
      if (pool && activePool() === pool) activate(undefined);
      const h = materialize(v);
      const data = exposed.has(h.data) ? h.data.slice() : h.data;
      exposed.add(data);
      return { dtype: node.dtype, shape: [...node.shape], data };
    },
    // Storage is garbage-collected; nothing to free eagerly.
    release: () => {},
    dispose: () => {
      pool?.clear();
      return ctx.pool?.dispose();
    },
    // The capacity check is ours (below): with `longSequences`, a fused chain's deferred
    // nodes (the Tq×Tk scores and probabilities) never exist, so they are not refused.
    maxElements: Number.MAX_SAFE_INTEGER,
  });
  const innerRun = backend.run;
  // Common subexpressions merged once per graph (a gradient graph repeats products of its VJPs;
  // lowering used to merge them when the model ops ran through decompositions).
  const merged = new WeakMap<Graph, Graph>();
  // Runs of this backend one after the other (each kernel loop is synchronous anyway), so a
  // run's recorded storage is only its own when the run ends and is recycled.
  let previous: Promise<unknown> = Promise.resolve();
  const run: Backend['run'] = (graph, feeds, runOptions) => {
    const result = previous.then(() => runOnce(graph, feeds, runOptions));
    previous = result.catch(() => undefined);
    return result;
  };
  const runOnce: Backend['run'] = async (caller, feeds, runOptions) => {
    try {
      return await planAndRun(caller, feeds, runOptions);
    } finally {
      if (pool) {
        if (activePool() === pool) activate(undefined);
        // Everything the run allocated but the arrays it handed out (and views of them) is free again.
        pool.finish((data) => exposed.has(data));
      }
    }
  };
  const planAndRun: Backend['run'] = async (caller, feeds, runOptions) => {
    let graph = caller;
    if (options.fuse !== false && graph && Array.isArray(graph.nodes)) {
      graph = merged.get(caller) ?? mergeCommonSubexpressions(lowerGraph(caller, (op) => kernelFor(NDARRAY_KERNELS, op) !== undefined, 'ndarray'));
      merged.set(caller, graph);
    }
    if (options.fuse !== false && graph && Array.isArray(graph.nodes) && !planned.has(graph)) {
      for (const [node, role] of planFusion(graph)) roles.set(node, role);
      planned.add(graph);
    }
    if (graph && Array.isArray(graph.nodes)) {
      const materialized = graph.nodes.filter((n) => !options.longSequences || roles.get(n)?.kind !== 'defer').map((n) => n.id);
      checkCapacity(graph, materialized, DEFAULT_MAX_ELEMENTS, "'ndarray' (cpu)");
      if (!options.longSequences) checkAttentionScores(graph, DEFAULT_MAX_ELEMENTS, "'ndarray' (cpu)");
    }
    return innerRun(graph, feeds, runOptions);
  };
  return Object.assign(backend, { run, gemm: ctx.gemm.name, threads: ctx.pool?.size ?? 1 });
}

/**
 * The ndarray backend as the CLI and the conformance suite see it.
 *
 * @example
 * ```ts
 * import { ndarrayProvider } from '@sas/backend-ndarray';
 * const backend = await ndarrayProvider.create({ mode: 'cpu' });
 * ndarrayProvider.tolerance('cpu').atol; // 1e-5
 * ndarrayProvider.modelTolerance?.('cpu').stepAtol; // 1e-3
 * ```
 */
export const ndarrayProvider: BackendProvider = {
  name: 'ndarray',
  modes: ['cpu'],
  description: 'CPU kernels on ndarray views over Float32Array (float64 too): WebAssembly SIMD matmul, fused blocked attention, no decompositions',
  tolerance: (mode) => {
    if (mode !== 'cpu') throw new SasError('E_BACKEND', `backend 'ndarray' has one mode, 'cpu'; got '${mode}'`);
    return NDARRAY_TOLERANCE;
  },
  modelTolerance: (mode) => {
    if (mode !== 'cpu') throw new SasError('E_BACKEND', `backend 'ndarray' has one mode, 'cpu'; got '${mode}'`);
    return NDARRAY_MODEL_TOLERANCE;
  },
  // `threads` is an extra create option (the CLI's `--threads`); the mode stays 'cpu'.
  create: async (options?: { readonly mode?: string; readonly threads?: number; readonly longSequences?: boolean; readonly reuseStorage?: number }) =>
    createNdarrayBackend({ mode: options?.mode, threads: options?.threads, longSequences: options?.longSequences, reuseStorage: options?.reuseStorage }),
};
