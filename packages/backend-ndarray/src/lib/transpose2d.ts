import type { FloatData } from '../handle.js';

const TILE = 32;

/**
 * Writes the transpose of the `rows`×`cols` row-major block at `src[sOff]`
 * (row stride `lds`) into `dst[dOff]` as `cols`×`rows` (row stride `ldd`),
 * in square tiles so both sides stay in cache.
 *
 * @example
 * ```ts
 * import { transpose2d } from './transpose2d.js';
 * const dst = new Float32Array(6);
 * transpose2d(Float32Array.of(1, 2, 3, 4, 5, 6), 0, 3, 2, 3, dst, 0, 2); // dst = [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transpose2d(src: FloatData, sOff: number, lds: number, rows: number, cols: number, dst: FloatData, dOff: number, ldd: number): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const s = sOff + r * lds;
        const d = dOff + r;
        for (let c = c0; c < c1; c++) dst[d + c * ldd] = src[s + c];
      }
    }
  }
}
