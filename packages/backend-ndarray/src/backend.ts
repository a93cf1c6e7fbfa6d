import {
  createKernelBackend,
  isOpNode,
  mapKernels,
  SasError,
  type Backend,
  type BackendProvider,
  type FusedKernel,
  type FusionSpec,
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
import { fusionPlan, type FusedRole } from './fusion/plan.js';
import { wrap, type FloatData } from './handle.js';
import { activate, activePool, StoragePool } from './storage-pool.js';
import { NDARRAY_KERNELS } from './kernels/index.js';
import { jsAttention, wasmAttention } from './lib/attention-engine.js';
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
   * Deprecated, no effect: kept so that existing callers still compile. The
   * capacity check applies to the tensors a run really allocates, and the
   * Tq×Tk scores of fused attention (Attention / AttentionGrad nodes, fused
   * primitive chains) never are, so long sequences run without asking.
   * @deprecated No longer needed; ignored.
   */
  readonly longSequences?: boolean;
  /**
   * Bytes of storage kept from one run for the next (default 512 MiB; 0
   * turns recycling off). A run takes the arrays an earlier run of any
   * graph dropped instead of fresh memory (`StoragePool`): a training loop
   * then allocates almost nothing after its first step.
   */
  readonly reuseStorage?: number;
  /**
   * Run a full garbage collection of this thread and of the workers after
   * every 256 MiB of shared (SharedArrayBuffer) storage, with `threads` > 1
   * (default false). V8 does not count shared storage towards its own
   * collection heuristics, so dead intermediates of a multi-threaded run can
   * pile up (a T = 16384 SAS forward on two threads peaked at 2.4–2.8 GiB
   * without it, about 1 GiB with it). It turns on V8's expose-gc flag for the
   * whole process, which is the embedding program's call: the CLI opts in.
   */
  readonly collectGarbage?: boolean;
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
 * The executor's kernel for a node outside any fusion: the op's own kernel
 * on materialised inputs, except a product whose operand is deferred (a Relu
 * it reads through), which the product kernel stages. Timed when `onKernel` is set.
 */
function liftKernel<N extends OpName>(op: N, kernel: NdKernel<N>, onKernel: NdarrayBackendOptions['onKernel']): KernelFn<Value, KernelContext, N> {
  const run: KernelFn<Value, KernelContext, N> = (inputs, node, ctx) => {
    if ((op === 'MatMul' && inputs.some((v) => v instanceof Deferred)) || (op === 'Conv1d' && inputs[0] instanceof Deferred))
      return productKernel(inputs, node, ctx);
    return kernel(inputs.map(materialize), node, ctx);
  };
  if (!onKernel) return run;
  return (inputs, node, ctx) => {
    const t0 = performance.now();
    const out = run(inputs, node, ctx);
    report(onKernel, op, t0, out, node);
    return out;
  };
}

/** Reports `out`'s wall time since `t0` under `label` (deferred values cost nothing here: their work is reported where it is done). */
function report(onKernel: NonNullable<NdarrayBackendOptions['onKernel']>, label: string, t0: number, out: Value | undefined, node: GraphNode): void {
  if (out !== undefined && !(out instanceof Deferred)) onKernel(label, performance.now() - t0, node);
}

/** Profile label: the fused kernel a chain became. */
function fusedLabel(role: FusedRole): string {
  if (role.kind === 'attention') return 'Attention(fused)';
  if (role.kind === 'attention-grad') return 'AttentionGrad(fused)';
  if (role.kind === 'gate') return role.addend === undefined ? 'Mul+Step(fused)' : 'Add+Mul+Step(fused)';
  if (role.kind === 'conv-weight-grad') return 'Conv1dWeightGrad(fused)';
  if (role.kind === 'gemm') return `${role.baseOp}+Add${role.relu ? '+Relu' : ''}(fused)`;
  return role.sum ? 'Elementwise+Sum(fused)' : 'Elementwise(fused)';
}

/** Each fused kernel of `kernels`, timed under its fused label. */
function timedKernels(kernels: NdFusedKernels, onKernel: NonNullable<NdarrayBackendOptions['onKernel']>): NdFusedKernels {
  const timed =
    (kernel: FusedKernel<Value, KernelContext, FusedRole>): FusedKernel<Value, KernelContext, FusedRole> =>
    (inputs, node, role, ctx) => {
      const t0 = performance.now();
      const out = kernel(inputs, node, role, ctx);
      report(onKernel, fusedLabel(role), t0, out, node);
      return out;
    };
  return Object.fromEntries(
    Object.entries(kernels).map(([kind, k]) => [kind, timed(k as FusedKernel<Value, KernelContext, FusedRole>)]),
  ) as unknown as NdFusedKernels;
}

type NdFusedKernels = FusionSpec<Value, KernelContext, FusedRole>['kernels'];

/**
 * This backend's fusions for core's executor: `planFusion`'s roles as fused
 * nodes (fusion/plan.ts), a kernel per fused kind, and absorbed nodes as
 * `Deferred` values the fused kernels read through (computed by the node's
 * own kernel if anything else reads them).
 */
function ndarrayFusion(onKernel: NdarrayBackendOptions['onKernel']): FusionSpec<Value, KernelContext, FusedRole> {
  // Gradients of one attention computed ahead of their nodes, by the first sibling to run.
  const siblingResults: SiblingResults = new WeakMap();
  const kernels: NdFusedKernels = {
    attention: (inputs, node, role, ctx) => attentionFromChain(inputs, node, role, ctx),
    gemm: (inputs, node, role, ctx) => gemmFromChain(inputs, node, role, ctx),
    'attention-grad': (inputs, node, role, ctx) =>
      isOpNode(node, 'AttentionGrad') ? attentionGradFor(inputs, node, role.siblings, ctx, siblingResults) : undefined,
    'conv-weight-grad': (inputs, node, _role, ctx) => (isOpNode(node, 'Conv1d') ? convWeightGradFromChain(inputs, node, ctx) : undefined),
    gate: (inputs, node, role, ctx) => gateFromChain(inputs, node, role, ctx),
    elementwise: (inputs, node, role, ctx) => elementwiseFromGroup(inputs, node, role, ctx),
  };
  return {
    mergeCommon: true,
    plan: fusionPlan,
    kernels: onKernel ? timedKernels(kernels, onKernel) : kernels,
    absorb: (inputs, node, ctx, own) => {
      const deferred = new Deferred(node, inputs, (handles) => materialize(own(handles)));
      ctx.deferred?.set(node.id, deferred);
      return deferred;
    },
  };
}

/** The engines for the options: the SIMD runtime where asked for and available, else plain JS. */
function chooseEngines(options: NdarrayBackendOptions): KernelContext {
  if (options.simd === false) return { gemm: jsGemm, attention: jsAttention(jsGemm) };
  if (!wasmSimdAvailable()) {
    if (options.simd === true) throw new SasError('E_BACKEND', "backend 'ndarray': simd: true was asked for, but this runtime has no WebAssembly SIMD");
    return { gemm: jsGemm, attention: jsAttention(jsGemm) };
  }
  const wasm = new WasmRuntime();
  const base = new WasmGemm(wasm, options.simdMinWork);
  const threads = threadCount(options.threads);
  if (threads === 1) return { gemm: base, wasm, attention: wasmAttention(wasm, undefined, base) };
  const pool = new ThreadPool(threads, options.collectGarbage === true);
  const gemm = new ThreadedGemm(base, pool);
  return { gemm, wasm, pool, attention: wasmAttention(wasm, pool, gemm) };
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
  const kernels = mapKernels(NDARRAY_KERNELS, (op, kernel) => liftKernel(op, kernel, options.onKernel));
  const backend = createKernelBackend<Value, KernelContext, FusedRole>({
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
    // Everything the run allocated but the arrays it handed out (and views of them) is free again.
    endRun: () => {
      if (!pool) return;
      if (activePool() === pool) activate(undefined);
      pool.finish((data) => exposed.has(data));
    },
    // One run at a time (each kernel loop is synchronous anyway), so a run's recorded storage
    // is only its own when the run ends and is recycled.
    oneRunAtATime: true,
    // Fusions (fusion/plan.ts) as core's rewrites; core checks capacity on what they really allocate.
    ...(options.fuse === false ? {} : { fusion: ndarrayFusion(options.onKernel) }),
  });
  return Object.assign(backend, { gemm: ctx.gemm.name, threads: ctx.pool?.size ?? 1 });
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
  create: async (options?: {
    readonly mode?: string;
    readonly threads?: number;
    readonly longSequences?: boolean;
    readonly reuseStorage?: number;
    readonly collectGarbage?: boolean;
  }) =>
    createNdarrayBackend({
      mode: options?.mode,
      threads: options?.threads,
      longSequences: options?.longSequences,
      reuseStorage: options?.reuseStorage,
      collectGarbage: options?.collectGarbage,
    }),
};
