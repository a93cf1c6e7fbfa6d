import { isOpNode, sizeOf, stridesOf } from '@sas/core';
import { Deferred, materialize, type Value } from '../deferred.js';
import type { FloatData, NdHandle } from '../handle.js';

/**
 * A tensor [..batch, rows, cols] read (or written) row by row: row r of
 * batch entry b starts at `batchOffsets[b] + r·rowStride` and its `cols`
 * values are contiguous. A plain handle has rowStride = cols; a deferred
 * Transpose that keeps the last axis (the head-layout swaps around
 * attention) is read in place through its input's strides.
 */
export interface RowView {
  readonly data: FloatData;
  readonly batchShape: readonly number[];
  readonly batchOffsets: Int32Array;
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
}

/** Offsets of every batch entry (row-major over `batchShape`) given per-axis strides. */
function offsets(batchShape: readonly number[], strides: readonly number[]): Int32Array {
  const out = new Int32Array(sizeOf(batchShape));
  const counter = new Array<number>(batchShape.length).fill(0);
  let off = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = off;
    for (let axis = batchShape.length - 1; axis >= 0; axis--) {
      off += strides[axis];
      if (++counter[axis] < batchShape[axis]) break;
      off -= strides[axis] * batchShape[axis];
      counter[axis] = 0;
    }
  }
  return out;
}

/**
 * The view of `data` laid out row-major as `storedShape`, seen through
 * `perm` (logical axis i is stored axis perm[i]; perm keeps the last axis).
 *
 * @example
 * ```ts
 * import { permutedView } from './rows.js';
 * // [T=2, H=3, D=4] storage read as [H, T, D]: row t of head h at (t·3 + h)·4.
 * permutedView(new Float32Array(24), [2, 3, 4], [1, 0, 2]).rowStride; // 12
 * ```
 */
export function permutedView(data: FloatData, storedShape: readonly number[], perm: readonly number[]): RowView {
  const stored = stridesOf(storedShape);
  const shape = perm.map((p) => storedShape[p]);
  const strides = perm.map((p) => stored[p]);
  const rank = shape.length;
  return {
    data,
    batchShape: shape.slice(0, -2),
    batchOffsets: offsets(shape.slice(0, -2), strides.slice(0, -2)),
    rows: shape[rank - 2],
    cols: shape[rank - 1],
    rowStride: strides[rank - 2],
  };
}

/**
 * How to read a [..batch, rows, cols] operand: through a deferred
 * row-preserving Transpose without copying, else as its contiguous handle.
 *
 * @example
 * ```ts
 * import { rowView } from './rows.js';
 * import { wrap } from '../handle.js';
 * rowView(wrap(new Float32Array(6), [2, 3])).rowStride; // 3
 * ```
 */
export function rowView(v: Value): RowView {
  if (v instanceof Deferred && isOpNode(v.node, 'Transpose')) {
    const src = materialize(v.inputs[0]);
    return permutedView(src.data, src.shape, v.node.attrs.perm);
  }
  const h: NdHandle = materialize(v);
  return permutedView(
    h.data,
    h.shape,
    h.shape.map((_, i) => i),
  );
}

/**
 * The view through which a kernel computing `logicalShape` writes into `out`,
 * where `out` holds the result transposed by `perm` (out axis i = logical
 * axis perm[i]), or is the result itself when `perm` is undefined.
 *
 * @example
 * ```ts
 * import { outputView } from './rows.js';
 * import { wrap } from '../handle.js';
 * // Logical [H=3, T=2, D=4] written into [T, H, D] storage.
 * outputView(wrap(new Float32Array(24), [2, 3, 4]), [3, 2, 4], [1, 0, 2]).rowStride; // 12
 * ```
 */
export function outputView(out: NdHandle, logicalShape: readonly number[], perm?: readonly number[]): RowView {
  if (!perm)
    return permutedView(
      out.data,
      logicalShape,
      logicalShape.map((_, i) => i),
    );
  // Logical axis a sits at out position perm.indexOf(a).
  const inverse = logicalShape.map((_, a) => perm.indexOf(a));
  return permutedView(out.data, out.shape, inverse);
}
