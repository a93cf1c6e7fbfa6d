/**
 * Theil–Sen slope of `ys` against `xs`: the median of the slopes between
 * every pair of points. Unlike least squares it shrugs off the occasional
 * spike (a GC that ran late, a buffer the test runner held for a moment), so
 * a trend found by it is a trend. 0 for fewer than two distinct xs.
 *
 * @example
 * ```ts
 * import { trendSlope } from '@sas/conformance';
 * trendSlope([0, 1, 2, 3, 4], [10, 12, 14, 99, 18]); // 2
 * ```
 */
export function trendSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 ? slopes[mid] : (slopes[mid - 1] + slopes[mid]) / 2;
}
