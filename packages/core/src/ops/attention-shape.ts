import type { TensorType } from '../ir/types.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { fmtShape } from '../tensor.js';
import { attrError, shapeError } from './op.js';

/** The attributes shared by `Attention` and `AttentionGrad`. */
export const ATTENTION_ATTRS = {
  scale: { type: 'number', doc: "multiplies q·kᵀ before the mask and softmax (1/√D' in SAS); finite" },
  causal: { type: 'boolean', doc: 'mask key j > i + (Tk − Tq) (bottom-right aligned, as CausalMask)' },
} as const satisfies AttrSchema;

/** Attributes shared by `Attention` and `AttentionGrad`. */
export type AttentionAttrs = AttrsOf<typeof ATTENTION_ATTRS>;

/** Sizes of an attention: broadcast batch, query and key lengths, q/k and v widths. */
export interface AttentionDims {
  readonly batch: number[];
  readonly tq: number;
  readonly tk: number;
  readonly dk: number;
  readonly dv: number;
}

/** Throws `E_ATTR` unless scale is a finite number and causal a boolean. */
export function checkAttentionAttrs(op: string, { scale, causal }: AttentionAttrs): void {
  if (typeof scale !== 'number' || !Number.isFinite(scale)) attrError(op, `scale must be a finite number, got ${String(scale)}`);
  if (typeof causal !== 'boolean') attrError(op, `causal must be a boolean, got ${JSON.stringify(causal)}`);
}

/**
 * Reads the sizes of q [..., Tq, Dk], k [..., Tk, Dk], v [..., Tk, Dv],
 * whose batch axes broadcast (a kv head may serve a group of query heads),
 * or throws `E_SHAPE` naming `op` and the rule broken.
 *
 * @example
 * ```ts
 * import { attentionDims } from './attention-shape.js';
 * const t = (shape: number[]) => ({ shape, dtype: 'float32' as const });
 * attentionDims('Attention', [t([2, 1, 5, 8]), t([2, 3, 7, 8]), t([2, 3, 7, 4])]).batch; // [2, 3]
 * ```
 */
export function attentionDims(op: string, [q, k, v]: readonly TensorType[]): AttentionDims {
  if (q.shape.length < 2 || k.shape.length < 2 || v.shape.length < 2) shapeError(op, 'q, k and v need rank ≥ 2 ([..., T, D])', [q, k, v]);
  const [tq, dk] = q.shape.slice(-2);
  const [tk, dkk] = k.shape.slice(-2);
  const [tv, dv] = v.shape.slice(-2);
  if (dk !== dkk) shapeError(op, `q and k widths differ: ${dk} vs ${dkk}`, [q, k, v]);
  if (tk !== tv) shapeError(op, `k and v lengths differ: ${tk} vs ${tv}`, [q, k, v]);
  const batches = [q, k, v].map((t) => t.shape.slice(0, -2));
  const rank = Math.max(...batches.map((b) => b.length));
  const batch = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const sizes = batches.map((b) => b[b.length - i] ?? 1);
    const big = Math.max(...sizes.filter((d) => d !== 1), 1);
    if (sizes.some((d) => d !== 1 && d !== big)) shapeError(op, `batch axes do not broadcast: axis ${-i - 2} is ${sizes.join(' / ')}`, [q, k, v]);
    // An axis of size 0 broadcasts against 1 only.
    batch[rank - i] = sizes.includes(0) ? 0 : big;
  }
  return { batch, tq, tk, dk, dv };
}

/** Throws `E_SHAPE` unless `t` is shaped `expected` (what `what` names). */
export function expectShape(op: string, what: string, t: TensorType, expected: readonly number[], all: readonly TensorType[]): void {
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    shapeError(op, `${what} must have shape ${fmtShape(expected)}, got ${fmtShape(t.shape)}`, all);
  }
}
