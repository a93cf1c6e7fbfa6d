// What the model-op kernels share: operands read row by row through flat
// offsets. Their loops walk whole rows (a layer norm's statistics, the ids a
// scatter-add visits, a cross-entropy's logits), where unravelling every
// index into a view's axes would cost more than the arithmetic itself, so
// those operands are taken row-major: as they are when they already are
// (any offset or scale), else copied once.

import { lit, type Reader } from '../codegen.js';
import { isRowMajor, releaseTensor, type GpuTensor } from '../tensor.js';
import { materialize, unmask, type DeviceContext } from './context.js';

/** A row-major operand without a pending mask, and how to give it back. */
export interface RowMajorOperand {
  readonly t: GpuTensor;
  /** Releases the copy when one was made; nothing otherwise. */
  release(): void;
}

/**
 * `t` as a row-major, unmasked view: `t` itself (or its cached unmasked
 * values) when it walks its storage in row-major order, else a row-major copy
 * that `release` frees.
 *
 * @example
 * ```ts
 * const x = rowMajorOperand(ctx, transposed);
 * try { ... x.t ... } finally { x.release(); }
 * ```
 */
export function rowMajorOperand(ctx: DeviceContext, t: GpuTensor): RowMajorOperand {
  const u = unmask(ctx, t);
  if (isRowMajor(u)) return { t: u, release: () => {} };
  const copy = materialize(ctx, u);
  return { t: copy, release: () => releaseTensor(ctx.device, copy) };
}

/**
 * The (scaled) value of row-major `t` at row-major element `flat` (an
 * expression), read through `reader` (what `KernelWriter.tensor(t)` returned).
 *
 * @example
 * ```ts
 * const r = w.tensor(x.t);
 * flatAt(r, x.t, 'k'); // 't0[17.0 + k]' for a view at offset 17
 * ```
 */
export function flatAt(reader: Reader, t: GpuTensor, flat: string): string {
  return reader.atOffset(t.offset === 0 ? flat : `${lit(t.offset)} + ${flat}`);
}

/**
 * The expression that is true when `id` holds an integer in [0, n): what
 * the model ops accept as an id or target (NaN and ±∞ fail every part).
 *
 * @example
 * ```ts
 * idInRange('id', 13); // '(id >= 0.0 && id < 13.0 && Math.floor(id) === id)'
 * ```
 */
export function idInRange(id: string, n: number): string {
  return `(${id} >= 0.0 && ${id} < ${lit(n)} && Math.floor(${id}) === ${id})`;
}
