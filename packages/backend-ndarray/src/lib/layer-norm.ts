import type { FloatData } from '../handle.js';

/** Mean and reciprocal standard deviation of one row, as LayerNorm takes them. */
export interface RowStats {
  mean: number;
  rstd: number;
}

/**
 * Mean and 1/√(var + eps) of `x[xi .. xi+w)`, biased variance, in double:
 * two passes (the mean, then squared deviations), as the reference computes
 * them, so a row with a large common offset loses nothing to cancellation.
 * Writes into `stats` (no allocation per row).
 *
 * @example
 * ```ts
 * import { rowStats } from './layer-norm.js';
 * const s = { mean: 0, rstd: 0 };
 * rowStats(Float32Array.of(1, 3), 0, 2, 0, s); // s = { mean: 2, rstd: 1 }
 * ```
 */
export function rowStats(x: FloatData, xi: number, w: number, eps: number, stats: RowStats): RowStats {
  let sum = 0;
  for (let j = 0; j < w; j++) sum += x[xi + j];
  const mean = sum / w;
  let squares = 0;
  for (let j = 0; j < w; j++) {
    const d = x[xi + j] - mean;
    squares += d * d;
  }
  stats.mean = mean;
  stats.rstd = 1 / Math.sqrt(squares / w + eps);
  return stats;
}
