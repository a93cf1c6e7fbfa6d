import type { Graph, GraphNode, OpNode } from '../ir/types.js';
import type { CompositeName, OpName, PrimitiveName } from '../ops/table.js';
import type { DType, Tensor } from '../tensor.js';

// Pre-run checks every kernel backend makes (tensor size ceiling, feed dtypes);
// exported here so backends that do not use createKernelBackend can call them too.
export { checkCapacity, checkFeedDtypes } from './preflight.js';

/**
 * Default ceiling on the elements of one tensor in a kernel backend:
 * 2^31 − 1, the largest typed-array length every JS engine accepts and that
 * int32 index arithmetic reaches. Larger tensors are refused before anything
 * is allocated; a backend with a tighter limit sets `KernelBackendSpec.maxElements`.
 */
export const DEFAULT_MAX_ELEMENTS = 2 ** 31 - 1;

/** Values for a graph's `Input` and `Param` nodes, by name. */
export type Feeds = Readonly<Record<string, Tensor>>;

/** What to do with NaN or ±Inf found in feeds. */
export type NonFinitePolicy = 'error' | 'allow';

/** Options of one graph run. */
export interface RunOptions {
  /** Output names to compute (default: all of the graph's outputs). Only their ancestors run. */
  readonly outputs?: readonly string[];
  /** NaN/±Inf in feeds: 'error' (default) refuses them with `E_INPUT`; 'allow' runs anyway. */
  readonly nonFinite?: NonFinitePolicy;
}

/**
 * A ready backend: runs graphs and hands back host tensors. Every backend,
 * ours or a third party's, implements this; the conformance suite needs nothing else.
 */
export interface Backend {
  /** Registry name, e.g. 'reference', 'ndarray'. */
  readonly name: string;
  /** The mode that actually runs (e.g. 'cpu', 'wasm', 'headlessgl'). */
  readonly mode: string;
  /** Graph dtypes this backend executes; the first is its native precision. */
  readonly dtypes: readonly DType[];
  /** Runs `graph` on `feeds`; resolves to the requested outputs in the graph's dtype. */
  run(graph: Graph, feeds: Feeds, options?: RunOptions): Promise<Record<string, Tensor>>;
  /** Releases everything the backend holds (kernels, textures, tensors, workers). */
  dispose(): void | Promise<void>;
}

/** Conformance tolerances: a value passes when `|a − e| ≤ atol + rtol·|e|`. */
export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
  readonly gradAtol: number;
  readonly gradRtol: number;
}

/**
 * What a backend is held to on the model fixtures (MODEL.md: logits, loss,
 * gradients, grad_norm, params after AdamW steps). The `Tolerance` fields
 * apply as in the layer suite (forward: logits, loss, loss_after_step1;
 * gradient: grad.*, grad_norm); `stepAtol`/`stepRtol` apply to the params
 * after one and two AdamW steps (step1.*, step2.*), defaulting to the
 * gradient tolerance. They are separate because AdamW's first steps move a
 * parameter whose gradient is zero in exact arithmetic (key biases: softmax
 * ignores a constant shift of every key) by `lr·g/(|g| + eps)`, so float32
 * rounding noise in g of ~1e-10 shows up as ~lr/10 in the param
 * (docs/models.md).
 */
export interface ModelTolerance extends Tolerance {
  readonly stepAtol?: number;
  readonly stepRtol?: number;
}

/** How a backend package presents itself to the CLI and the conformance suite. */
export interface BackendProvider {
  readonly name: string;
  /** Modes it can run in, best first. */
  readonly modes: readonly string[];
  /** One-line description for `--help`. */
  readonly description: string;
  /** The tolerance this backend is held to, per mode. */
  tolerance(mode: string): Tolerance;
  /** The tolerance on the model fixtures, per mode (default: `tolerance(mode)`, steps at its gradient tolerance). */
  modelTolerance?(mode: string): ModelTolerance;
  /** Creates a backend; an unavailable mode is a clear `E_BACKEND` error, never a silent fallback. */
  create(options?: { readonly mode?: string }): Promise<Backend>;
}

/**
 * What a kernel can always reach besides its inputs: the graph it runs in
 * (node `node.inputs[i]` of `ctx.graph` made input `i`, e.g. to see that an
 * operand is a Constant). Backends extend it with their engines or device.
 */
export interface GraphContext {
  readonly graph: Graph;
}

/**
 * The one kernel signature of every backend: computes a node of op `N` from
 * its input handles, reading its typed attributes (`node.attrs.pad` is a
 * number), and returns a new handle that the executor owns (and later passes
 * to `release`). `ctx` is the backend's context for this run.
 */
export type KernelFn<H, C, N extends OpName> = (inputs: readonly H[], node: OpNode<N>, ctx: C) => H;

/**
 * A backend's kernels by op name: one for every primitive op (a table that
 * lacks one does not compile), and optionally one per composite op (those
 * without run through their decomposition). Declare a table with
 * `satisfies KernelTable<H, C>` so the compiler names a missing op.
 */
export type KernelTable<H, C> = { readonly [N in PrimitiveName]: KernelFn<H, C, N> } & { readonly [N in CompositeName]?: KernelFn<H, C, N> };

/** A kernel looked up by a run-time op name: any node, attributes as the node carries them. */
export type AnyKernel<H, C> = (inputs: readonly H[], node: GraphNode, ctx: C) => H;

/** What a kernel-table backend supplies; `createKernelBackend` turns it into a `Backend`. */
export interface KernelBackendSpec<H, C> {
  readonly name: string;
  readonly mode: string;
  readonly dtypes: readonly DType[];
  /** Kernels by op name. Composite ops missing here run through the op's `decompose`. */
  readonly kernels: KernelTable<H, C>;
  /** The context handed to every kernel of one run of `graph` (the graph as lowered for this backend). */
  context(graph: Graph): C;
  /** Host tensor (already in the graph's dtype) → backend handle. */
  upload(t: Tensor): H;
  /** Backend handle → host tensor of the node's shape and dtype. */
  download(h: H, node: GraphNode): Tensor | Promise<Tensor>;
  /** Frees a handle the executor no longer needs. */
  release(h: H): void;
  /** Frees backend-wide resources. */
  dispose?(): void | Promise<void>;
  /**
   * Most elements one tensor (input, intermediate or output) may have; a run
   * planning a larger one is refused with `E_BACKEND` naming the node, its
   * shape and this limit, before any upload or kernel. Default `DEFAULT_MAX_ELEMENTS`.
   */
  readonly maxElements?: number;
}
