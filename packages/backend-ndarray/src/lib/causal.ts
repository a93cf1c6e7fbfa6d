/**
 * How many keys query row `row` (0-based, of `tq`) may see among the first
 * `limit`: with the causal mask aligned bottom-right as CausalMask's
 * (row i sees keys j ≤ i + Tk − Tq), else all `limit`. A block's strip width
 * is what its last row sees (`limit` = Tk); a row's valid entries within that
 * strip are what it sees with `limit` = the width. Every blocked attention
 * kernel (forward and backward, JS and SIMD) asks this one function.
 *
 * @example
 * ```ts
 * import { keysSeen } from './causal.js';
 * keysSeen(0, 5, 3, 5, true); // 3: the first of 3 queries over 5 keys sees keys 0..2
 * keysSeen(0, 5, 3, 5, false); // 5
 * ```
 */
export function keysSeen(row: number, limit: number, tq: number, tk: number, causal: boolean): number {
  return causal ? Math.max(0, Math.min(limit, row + tk - tq + 1)) : limit;
}
