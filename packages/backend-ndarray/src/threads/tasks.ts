import type { RowView } from '../lib/rows.js';
import { shiftEpilogue, type Epilogue } from '../lib/epilogue.js';
import type { GemmEngine } from '../lib/gemm.js';
import type { AttentionOperand } from '@sas/core';
import type { AttentionGradOperands } from '../fusion/attention-grad.js';
import { wrap } from '../handle.js';
import { wasmAttention } from '../wasm/attention.js';
import { gateRange } from '../lib/gate-loop.js';
import { wasmConv1d } from '../wasm/conv.js';
import { wasmConvWeightGrad } from '../wasm/conv-weight-grad.js';
import { wasmAttentionGrads } from '../wasm/attention-grad.js';
import type { WasmRuntime } from '../wasm/runtime.js';

/** Every kind of task the pool's workers run. */
export type PoolTask = AttentionTask | GemmTask | AttentionGradTask | ConvTask | AtbTask | ConvWeightGradTask | GateTask;

/**
 * Work the pool shares out in chunks (see `ThreadPool.runChunks`): every
 * thread, the caller included, runs chunk after chunk of the same task until
 * none is left. The same functions run a chunk on every thread, so which
 * thread ran which chunk never changes a bit of the result.
 */

/** The fused attention over heads: chunk i is head (batch entry) i of `out`. Operands in shared memory. */
export interface AttentionTask {
  readonly kind: 'attention';
  readonly q: RowView;
  readonly k: RowView;
  readonly v: RowView;
  readonly out: RowView;
  readonly batchShape: readonly number[];
  readonly scale: number;
  readonly causal: boolean;
  readonly chunks: number;
}

/**
 * The attention backward over heads: chunk i is batch entry i (no two
 * entries share a k or v head, so threads write disjoint gradient rows).
 * Operands and gradients in shared memory.
 */
export interface AttentionGradTask {
  readonly kind: 'attention-grad';
  readonly ops: AttentionGradOperands;
  readonly grads: Partial<Record<AttentionOperand, Float32Array>>;
  readonly chunks: number;
}

/**
 * Conv1d by samples: chunk i is samples `i·samples ..` of x [N,C,L] and out
 * [N,O,Lout] (row-major, offset 0). Operands in shared memory.
 */
export interface ConvTask {
  readonly kind: 'conv';
  readonly x: Float32Array;
  readonly xShape: readonly number[];
  readonly w: Float32Array;
  readonly wShape: readonly number[];
  readonly pad: number;
  readonly out: Float32Array;
  readonly outShape: readonly number[];
  /** Per-channel bias (rowBias) and out-shaped addends, for the whole output; shifted per chunk. */
  readonly epilogue?: Epilogue;
  readonly reluX: boolean;
  readonly samples: number;
  readonly chunks: number;
}

/** The operands of a product task: row-major blocks at offsets with row strides, and the sizes. */
export interface ProductOperands {
  readonly A: Float32Array;
  readonly aOff: number;
  readonly lda: number;
  readonly B: Float32Array;
  readonly bOff: number;
  readonly ldb: number;
  readonly C: Float32Array;
  readonly cOff: number;
  readonly ldc: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
}

/** C = A·Bᵀ (+ epilogue) by rows: chunk i is rows `starts[i] .. starts[i + 1]` of C. Operands in shared memory. */
export interface GemmTask extends ProductOperands {
  readonly kind: 'gemm';
  /** Row boundaries of the chunks (`chunks + 1` of them, from 0 to M; multiples of the kernel's row tile but the last). */
  readonly starts: readonly number[];
  readonly chunks: number;
  /** For the whole M×N block; shifted to each chunk's rows. Its operands are shared. */
  readonly epilogue?: Epilogue;
}

/**
 * Runs chunk `i` of a gemm task on `engine` (the single-thread SIMD engine of the calling thread).
 *
 * @example
 * ```ts
 * import { runGemmChunk } from './tasks.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const C = new Float32Array(4);
 * const task = { kind: 'gemm', A: Float32Array.of(1, 2), aOff: 0, lda: 1, B: Float32Array.of(3, 4), bOff: 0, ldb: 1, C, cOff: 0, ldc: 2, M: 2, N: 2, K: 1, starts: [0, 1, 2], chunks: 2 } as const;
 * runGemmChunk(jsGemm, task, 1); // C = [0, 0, 6, 8]
 * ```
 */
export function runGemmChunk(engine: GemmEngine, t: GemmTask, i: number): void {
  const lo = t.starts[i];
  const hi = t.starts[i + 1];
  if (hi <= lo) return;
  engine.abt(
    t.A,
    t.aOff + lo * t.lda,
    t.lda,
    t.B,
    t.bOff,
    t.ldb,
    t.C,
    t.cOff + lo * t.ldc,
    t.ldc,
    hi - lo,
    t.N,
    t.K,
    shiftEpilogue(t.epilogue, { rows: lo, ldc: t.ldc }),
  );
}

/**
 * Runs chunk `i` (one head) of an attention task on the SIMD runtime `rt`.
 *
 * @example
 * ```ts
 * import { runAttentionChunk } from './tasks.js';
 * import { WasmRuntime } from '../wasm/runtime.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [1, 2, 2]));
 * const out = rowView(wrap(new Float32Array(4), [1, 2, 2]));
 * runAttentionChunk(new WasmRuntime(), { kind: 'attention', q: x, k: x, v: x, out, batchShape: [1], scale: 1, causal: true, chunks: 1 }, 0); // out row 0 = [1, 0]
 * ```
 */
export function runAttentionChunk(rt: WasmRuntime, t: AttentionTask, i: number): void {
  wasmAttention(rt, t.q, t.k, t.v, t.out, t.batchShape, t.scale, t.causal, [i, i + 1]);
}

/**
 * Relu's VJP, `y = (addend +) g · step(x)` (lib/gate-loop.ts), by ranges:
 * chunk i is elements `i·per ..`. Arrays in shared memory.
 */
export interface GateTask {
  readonly kind: 'gate';
  readonly x: Float32Array;
  readonly g: Float32Array;
  readonly addend?: Float32Array;
  readonly y: Float32Array;
  readonly per: number;
  readonly chunks: number;
}

/**
 * Runs chunk `i` (a range of elements) of a gate task.
 *
 * @example
 * ```ts
 * import { runGateChunk } from './tasks.js';
 * const y = new Float32Array(2);
 * runGateChunk({ kind: 'gate', x: Float32Array.of(1, -1), g: Float32Array.of(3, 4), y, per: 2, chunks: 1 }, 0); // y = [3, 0]
 * ```
 */
export function runGateChunk(t: GateTask, i: number): void {
  const lo = i * t.per;
  gateRange(t.x, t.g, t.addend, t.y, lo, Math.min(t.y.length, lo + t.per));
}

/**
 * A Conv1d weight gradient (wasm/conv-weight-grad.ts) by rows of dw: chunk
 * i is x's channels `i·rows ..`. Operands in shared memory.
 */
export interface ConvWeightGradTask {
  readonly kind: 'conv-weight-grad';
  readonly x: Float32Array;
  readonly xShape: readonly number[];
  readonly g: Float32Array;
  readonly gShape: readonly number[];
  readonly pad: number;
  readonly reluX: boolean;
  /** [C, O, k], every row written by the chunk that owns it. */
  readonly dw: Float32Array;
  readonly rows: number;
  readonly chunks: number;
}

/**
 * Runs chunk `i` (a block of x's channels) of a conv weight-gradient task.
 *
 * @example
 * ```ts
 * // Called by the pool's workers and by the calling thread; see threads/conv.ts.
 * ```
 */
export function runConvWeightGradChunk(rt: WasmRuntime, t: ConvWeightGradTask, i: number): void {
  const c0 = i * t.rows;
  const c1 = Math.min(t.xShape[1], c0 + t.rows);
  if (c1 > c0) wasmConvWeightGrad(rt, t.x, t.xShape, t.g, t.gShape, t.pad, t.dw, t.reluX, [c0, c1]);
}

/**
 * C = Aᵀ·B (A [K × M], B [K × N]; see wasm/atb.ts) by panels of C: chunk i
 * is columns `i·panel ..` of C (`split` 'n') or rows `i·panel ..` ('m').
 * Each element is summed over all of K by one thread, in the same K blocks,
 * so the result does not depend on the split. Operands in shared memory.
 */
export interface AtbTask extends ProductOperands {
  readonly kind: 'atb';
  readonly reluA: boolean;
  readonly reluB: boolean;
  readonly split: 'm' | 'n';
  /** Columns (or rows) of C per chunk: a multiple of the kernel's tile along that axis. */
  readonly panel: number;
  readonly chunks: number;
}

/**
 * Runs chunk `i` (a panel of C's columns or rows) of an Aᵀ·B task.
 *
 * @example
 * ```ts
 * // Called by the pool's workers and by the calling thread; see threads/gemm.ts.
 * ```
 */
export function runAtbChunk(engine: Required<Pick<GemmEngine, 'atb'>>, t: AtbTask, i: number): void {
  const lo = i * t.panel;
  const hi = Math.min(t.split === 'n' ? t.N : t.M, lo + t.panel);
  if (hi <= lo) return;
  if (t.split === 'n') engine.atb(t.A, t.aOff, t.lda, t.B, t.bOff + lo, t.ldb, t.C, t.cOff + lo, t.ldc, t.M, hi - lo, t.K, t.reluA, t.reluB);
  else engine.atb(t.A, t.aOff + lo, t.lda, t.B, t.bOff, t.ldb, t.C, t.cOff + lo * t.ldc, t.ldc, hi - lo, t.N, t.K, t.reluA, t.reluB);
}

/**
 * Bytes of distinct shared storage a task refers to: what a worker keeps
 * alive until its heap is next collected (see worker.ts).
 *
 * @example
 * ```ts
 * import { taskBytes } from './tasks.js';
 * import { sharedFloat32 } from './shared.js';
 * const A = sharedFloat32(4);
 * taskBytes({ kind: 'gemm', A, aOff: 0, lda: 2, B: A, bOff: 0, ldb: 2, C: sharedFloat32(4), cOff: 0, ldc: 2, M: 2, N: 2, K: 2, starts: [0, 2], chunks: 1 }); // 32
 * ```
 */
export function taskBytes(t: PoolTask): number {
  const arrays =
    t.kind === 'attention'
      ? [t.q.data, t.k.data, t.v.data, t.out.data]
      : t.kind === 'conv'
        ? [t.x, t.w, t.out, t.epilogue?.rowBias?.data, ...(t.epilogue?.addends ?? []).map((a) => a.data)]
        : t.kind === 'attention-grad'
          ? [...[t.ops.q, t.ops.k, t.ops.v, t.ops.out, t.ops.g].map((x) => x.data), ...Object.values(t.grads)]
          : t.kind === 'atb'
            ? [t.A, t.B, t.C]
            : t.kind === 'conv-weight-grad'
              ? [t.x, t.g, t.dw]
              : t.kind === 'gate'
                ? [t.x, t.g, t.y, t.addend]
                : [t.A, t.B, t.C, t.epilogue?.colBias?.data, t.epilogue?.rowBias?.data, ...(t.epilogue?.addends ?? []).map((a) => a.data)];
  const buffers = new Set(arrays.filter((a) => a !== undefined).map((a) => a.buffer));
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

/**
 * Runs chunk `i` (one head) of an attention backward task.
 *
 * @example
 * ```ts
 * // Called by the pool's workers and by the calling thread; see threads/attention-grad.ts.
 * ```
 */
export function runAttentionGradChunk(rt: WasmRuntime, t: AttentionGradTask, i: number): void {
  wasmAttentionGrads(rt, t.ops, t.grads, [i, i + 1]);
}

/**
 * Runs chunk `i` (a block of samples) of a Conv1d task: the same kernel on
 * views of the samples' rows, with the addends moved to them.
 *
 * @example
 * ```ts
 * // Called by the pool's workers and by the calling thread; see threads/conv.ts.
 * ```
 */
export function runConvChunk(rt: WasmRuntime, t: ConvTask, i: number): void {
  const [n, c, l] = t.xShape;
  const [, o, lOut] = t.outShape;
  const s0 = i * t.samples;
  const s1 = Math.min(n, s0 + t.samples);
  if (s1 <= s0) return;
  const x = wrap(t.x.subarray(s0 * c * l, s1 * c * l), [s1 - s0, c, l]);
  const out = wrap(t.out.subarray(s0 * o * lOut, s1 * o * lOut), [s1 - s0, o, lOut]);
  wasmConv1d(rt, x, wrap(t.w, t.wShape), t.pad, out, shiftEpilogue(t.epilogue, { offset: s0 * o * lOut }), t.reluX);
}
