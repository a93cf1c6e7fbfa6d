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

/**
 * Slope of the floor of a noisy series: the samples are cut into `parts`
 * consecutive chunks, each chunk gives one point (its mean x, its lowest y),
 * and `trendSlope` runs through those points. A leak raises the floor;
 * garbage that a GC has not yet returned only makes spikes above it, so
 * spikes, however many, do not read as growth.
 *
 * @example
 * ```ts
 * import { floorSlope } from '@sas/conformance';
 * floorSlope([0, 1, 2, 3, 4, 5, 6, 7], [5, 9, 5, 9, 5, 9, 5, 9], 4); // 0
 * floorSlope([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7], 4); // 1
 * ```
 */
export function floorSlope(xs: readonly number[], ys: readonly number[], parts = 4): number {
  const n = Math.min(xs.length, ys.length);
  const k = Math.min(parts, n);
  const px: number[] = [];
  const py: number[] = [];
  for (let p = 0; p < k; p++) {
    const from = Math.floor((p * n) / k);
    const to = Math.floor(((p + 1) * n) / k);
    if (to <= from) continue;
    let sx = 0;
    let lo = Infinity;
    for (let i = from; i < to; i++) {
      sx += xs[i];
      lo = Math.min(lo, ys[i]);
    }
    px.push(sx / (to - from));
    py.push(lo);
  }
  return trendSlope(px, py);
}
