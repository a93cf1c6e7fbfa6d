/** A score over seeds: how many, their mean, sample standard deviation (n − 1; null with one seed), and range. */
export interface SeedStat {
  readonly n: number;
  readonly mean: number;
  readonly std: number | null;
  readonly min: number;
  readonly max: number;
}

/**
 * The arithmetic mean; NaN for no values.
 *
 * @example
 * ```ts
 * mean([1, 2, 3, 4]); // 2.5
 * ```
 */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * The sample standard deviation (divisor n − 1, as numpy's `ddof=1` and the
 * PyTorch twin's summary); null for fewer than two values, where there is no
 * spread to estimate (not 0, which would claim a perfectly repeatable score).
 *
 * @example
 * ```ts
 * sampleStd([1, 2, 3, 4]); // 1.2909944487358056 (√(5/3))
 * sampleStd([7]);          // null
 * ```
 */
export function sampleStd(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Mean, sample std and range of a score over seeds; null when no seed has it.
 *
 * @example
 * ```ts
 * seedStat([0.5, 0.7]); // { n: 2, mean: 0.6, std: 0.1414…, min: 0.5, max: 0.7 }
 * ```
 */
export function seedStat(values: readonly number[]): SeedStat | null {
  if (values.length === 0) return null;
  return { n: values.length, mean: mean(values), std: sampleStd(values), min: Math.min(...values), max: Math.max(...values) };
}
