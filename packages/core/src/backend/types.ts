import type { Graph, GraphNode } from '../ir/types.js';
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

/** How a backend package presents itself to the CLI and the conformance suite. */
export interface BackendProvider {
  readonly name: string;
  /** Modes it can run in, best first. */
  readonly modes: readonly string[];
  /** One-line description for `--help`. */
  readonly description: string;
  /** The tolerance this backend is held to, per mode. */
  tolerance(mode: string): Tolerance;
  /** Creates a backend; an unavailable mode is a clear `E_BACKEND` error, never a silent fallback. */
  create(options?: { readonly mode?: string }): Promise<Backend>;
}

/**
 * A kernel: computes one node from its input handles and returns a new handle
 * that the executor owns (and later passes to `release`).
 */
export type Kernel<H> = (inputs: readonly H[], node: GraphNode, inputNodes: readonly GraphNode[]) => H;

/** What a kernel-table backend supplies; `createKernelBackend` turns it into a `Backend`. */
export interface KernelBackendSpec<H> {
  readonly name: string;
  readonly mode: string;
  readonly dtypes: readonly DType[];
  /** Kernels by op name. Ops missing here run through the op's `decompose`, or fail naming the op. */
  readonly kernels: Readonly<Record<string, Kernel<H>>>;
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
