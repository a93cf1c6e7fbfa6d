import {
  castTensor,
  checkCapacity,
  checkFeeds,
  DEFAULT_MAX_ELEMENTS,
  leafName,
  lowerGraph,
  planExecution,
  SasError,
  type Backend,
  type ExecutionPlan,
  type BackendProvider,
  type Feeds,
  type Graph,
  type RunOptions,
  type Tensor,
} from '@sas/core';
import type * as Ort from 'onnxruntime-node';
import { exportOnnx } from './export/export.js';
import { hasOnnxMapping } from './export/op-map.js';
import { SessionCache } from './session-cache.js';
import { ONNX_TOLERANCE } from './tolerance.js';

type OrtModule = typeof Ort;

/** Options of `createOnnxBackend`. */
export interface OnnxBackendOptions {
  /** Passed to `InferenceSession.create` (threads, optimisation level...). */
  readonly sessionOptions?: Ort.InferenceSession.SessionOptions;
  /**
   * Most sessions kept open (default `DEFAULT_MAX_SESSIONS`): one per graph and
   * output set, least recently used released first. Raise it if more graphs
   * than this alternate and re-exporting them shows in profiles.
   */
  readonly maxSessions?: number;
  /**
   * Largest tensor (in elements) a run may plan, checked before ONNX Runtime
   * allocates anything; default `DEFAULT_MAX_ELEMENTS`, like every kernel backend.
   */
  readonly maxElements?: number;
}

/**
 * Sessions kept open by default. A layer needs two (forward, and forward +
 * backward), a training loop two or three, a conformance run two per case in
 * turn. Each session keeps ONNX Runtime's memory arena at the peak its graph
 * needed (about 1.4 MiB for the soak's small layer, gigabytes for a long T),
 * so the bound is small: 8 holds those working sets with room to spare while
 * capping what a program that builds graphs in a loop can hold.
 */
export const DEFAULT_MAX_SESSIONS = 8;

let ortModule: Promise<OrtModule> | undefined;

/**
 * ONNX Runtime's 'extended' graph optimisations fuse a scalar Mul into MatMul
 * as FusedMatMul, whose `alpha` attribute is a 32-bit float: in a float64 graph
 * that rounds the attention scale to float32 (errors ≈ 1e-8, measured). Float64
 * graphs therefore stop at 'basic' (constant folding, redundant-node removal).
 */
function defaultSessionOptions(graph: Graph): Ort.InferenceSession.SessionOptions {
  return { graphOptimizationLevel: graph.dtype === 'float64' ? 'basic' : 'all' };
}

/** Loads onnxruntime-node once, on first use, so that the export works without it. */
function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node').then(
    (m) => ((m as unknown as { default?: OrtModule }).default ?? m) as OrtModule,
    (e: Error) => {
      ortModule = undefined;
      throw new SasError('E_BACKEND', `backend 'onnx' needs onnxruntime-node 1.30.0 (npm i onnxruntime-node@1.30.0): ${e.message}`);
    },
  );
  return ortModule;
}

/**
 * Creates a backend that runs core graphs in ONNX Runtime (CPU): each graph is
 * exported with every `Input` and `Param` as a graph input, loaded into an
 * `InferenceSession` (cached per graph and output set, at most
 * `maxSessions` open, least recently used released first) and run on the feeds.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, tensor } from '@sas/core';
 * import { createOnnxBackend } from '@sas/onnx';
 * const b = new GraphBuilder('float32');
 * b.output('y', exp(b.input('x', [2])));
 * const backend = await createOnnxBackend();
 * (await backend.run(b.build(), { x: tensor([0, 1], [2]) })).y.data; // Float32Array [1, 2.7182817]
 * await backend.dispose();
 * ```
 */
export async function createOnnxBackend(options: OnnxBackendOptions = {}): Promise<Backend & { readonly sessionCount: () => number }> {
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  if (!Number.isInteger(maxSessions) || maxSessions < 1)
    throw new SasError('E_BACKEND', `backend 'onnx': option maxSessions must be an integer ≥ 1, got ${String(maxSessions)}`);
  const maxElements = options.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const ort = await loadOrt();
  // Bounded (LRU) rather than released when a graph is collected: see session-cache.ts for why.
  const sessions = new SessionCache<Graph, Ort.InferenceSession>(maxSessions);
  let disposed = false;

  // Called only when no session is cached for (graph, outputs), so the checks and the export are
  // paid once per session, not per run. All params stay graph inputs: the same session serves any weights.
  const createSession = (graph: Graph, outputs: readonly string[]) => () => {
    // The capacity check looks at the graph as ONNX Runtime will run it: composite ops (fused
    // attention) become their primitive chains in the export, and those hold the T×T scores. It runs
    // before the export, which would itself allocate such tensors (a causal mask of T×T constants).
    const asRun = lowerGraph(graph, (op) => hasOnnxMapping(op, graph.dtype), "'onnx' (cpu)");
    checkCapacity(asRun, planExecution(asRun, outputs).order, maxElements, "'onnx' (cpu)");
    return ort.InferenceSession.create(exportOnnx(graph, { outputs }), { ...defaultSessionOptions(graph), ...options.sessionOptions });
  };

  const run = async (graph: Graph, feeds: Feeds, runOptions: RunOptions = {}): Promise<Record<string, Tensor>> => {
    if (disposed) throw new SasError('E_BACKEND', "backend 'onnx' was disposed");
    if (graph.dtype !== 'float32' && graph.dtype !== 'float64')
      throw new SasError('E_DTYPE', `backend 'onnx' runs float32/float64 graphs, got ${String(graph.dtype)}`);
    const plan = planExecution(graph, runOptions.outputs);
    checkFeeds(graph, plan.feeds, feeds, runOptions.nonFinite ?? 'error');
    const outputs = Object.keys(plan.outputs);
    // A T too long is refused in createSession, before anything is exported or allocated.
    const lease = sessions.acquire(graph, outputs.join('\u0000'), createSession(graph, outputs));
    try {
      return await runSession(graph, plan, outputs, feeds, lease.session);
    } finally {
      lease.done();
    }
  };

  const runSession = async (
    graph: Graph,
    plan: ExecutionPlan,
    outputs: readonly string[],
    feeds: Feeds,
    pending: Promise<Ort.InferenceSession>,
  ): Promise<Record<string, Tensor>> => {
    let session: Ort.InferenceSession;
    try {
      session = await pending;
    } catch (e) {
      throw new SasError('E_BACKEND', `backend 'onnx': ONNX Runtime rejected the exported graph: ${(e as Error).message}`);
    }
    const ortFeeds: Record<string, Ort.Tensor> = {};
    for (const node of plan.feeds) {
      const name = leafName(node);
      const t = feeds[name].dtype === graph.dtype ? feeds[name] : castTensor(feeds[name], graph.dtype);
      ortFeeds[name] = new ort.Tensor(graph.dtype, t.data, [...t.shape]);
    }
    const result = await session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const name of outputs) {
      const r = result[name];
      // Copy: the result owns its buffer, but callers keep tensors beyond the session's life.
      const data = graph.dtype === 'float32' ? Float32Array.from(r.data as Float32Array) : Float64Array.from(r.data as Float64Array);
      out[name] = { dtype: graph.dtype, shape: graph.nodes[plan.outputs[name]].shape, data };
    }
    return out;
  };

  return {
    name: 'onnx',
    mode: 'cpu',
    dtypes: ['float32', 'float64'],
    run,
    sessionCount: () => sessions.size,
    dispose: async () => {
      disposed = true;
      await sessions.clear();
    },
  };
}

/**
 * ONNX Runtime as the CLI and the conformance suite see it: one mode, 'cpu',
 * running float32 graphs (float64 graphs run too, through `createOnnxBackend`).
 *
 * @example
 * ```ts
 * import { runConformance } from '@sas/conformance';
 * import { onnxProvider } from '@sas/onnx';
 * const backend = await onnxProvider.create({ mode: 'cpu' });
 * const report = await runConformance(backend, { tolerance: onnxProvider.tolerance('cpu') });
 * ```
 */
export const onnxProvider: BackendProvider = {
  name: 'onnx',
  modes: ['cpu'],
  description: 'ONNX Runtime (onnxruntime-node, CPU): the graph exported to ONNX opset 18 and run as a model',
  tolerance: () => ONNX_TOLERANCE,
  create: async (options) => {
    if (options?.mode !== undefined && options.mode !== 'cpu') throw new SasError('E_BACKEND', `backend 'onnx' has one mode, 'cpu'; got '${options.mode}'`);
    return createOnnxBackend();
  },
};
