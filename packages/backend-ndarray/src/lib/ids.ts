// Integer ids held in float tensors (Gather, ScatterAdd, CrossEntropy): the
// one test every kernel applies before using a value as an index, so a
// computed id that is not an integer in range is never a read or a write
// out of bounds.

/**
 * The row `v` names in a table of `rows` rows, or −1 when `v` is not an
 * integer in [0, rows) (NaN, ±Inf, a fraction, negative, too large).
 *
 * @example
 * ```ts
 * import { rowOf } from './ids.js';
 * rowOf(3, 5); // 3
 * rowOf(2.5, 5); // -1
 * rowOf(5, 5); // -1
 * ```
 */
export function rowOf(v: number, rows: number): number {
  // v >= 0 and v < rows are false for NaN; Math.floor(v) === v rejects fractions and ±Inf is out of range.
  return v >= 0 && v < rows && Math.floor(v) === v ? v : -1;
}
