import type { SeedStat } from './stats.js';

/**
 * An integer with spaces between thousands, as the project's docs write them.
 *
 * @example
 * ```ts
 * grouped(127904); // '127 904'
 * ```
 */
export function grouped(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/**
 * Seconds as `m:ss` or `h:mm:ss`.
 *
 * @example
 * ```ts
 * clock(1099.2); // '18:19'
 * clock(3909);   // '1:05:09'
 * ```
 */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${Math.floor(s / 60)}:${ss}`;
}

/**
 * `mean ± std` of a score over seeds, scaled (100 for percentages) and rounded
 * to `digits`; just the mean when one seed gives no spread; `–` with none.
 *
 * @example
 * ```ts
 * meanStd({ n: 2, mean: 0.5, std: 0.01, min: 0.49, max: 0.51 }, 1, 100); // '50.0 ± 1.0'
 * meanStd({ n: 1, mean: 2.5, std: null, min: 2.5, max: 2.5 }, 4);         // '2.5000'
 * ```
 */
export function meanStd(stat: SeedStat | null, digits: number, scale = 1): string {
  if (stat === null) return '–';
  const mean = (stat.mean * scale).toFixed(digits);
  return stat.std === null ? mean : `${mean} ± ${(stat.std * scale).toFixed(digits)}`;
}

/**
 * A list of seeds as `1, 2, 3`.
 *
 * @example
 * ```ts
 * seedList([1, 2]); // '1, 2'
 * ```
 */
export function seedList(seeds: readonly number[]): string {
  return seeds.join(', ');
}
