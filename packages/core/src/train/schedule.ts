import { SasError } from '../errors.js';

/** A learning-rate schedule: linear warmup, then cosine decay to a floor. */
export interface LrSchedule {
  /** Peak learning rate, reached at the end of the warmup. */
  readonly lr: number;
  /** Warmup steps (default 0). */
  readonly warmup?: number;
  /** Total steps of the run; the cosine reaches the floor at the last one. */
  readonly steps: number;
  /** Floor as a fraction of `lr` (default 0.1). */
  readonly minLrRatio?: number;
}

/**
 * The learning rate of step `step` (counted from 0) under `schedule`: linear
 * warmup `lr·(step + 1)/warmup` for the first `warmup` steps, then a cosine
 * from `lr` down to `lr·minLrRatio` at step `steps − 1`, and the floor after.
 * Feed it per step (`trainer.step(batch, { lr: lrAt(trainer.stepCount, s) })`).
 *
 * @example
 * ```ts
 * import { lrAt } from '@sas/core';
 * const s = { lr: 1e-3, warmup: 10, steps: 110, minLrRatio: 0.1 };
 * lrAt(0, s);   // 1e-4 (warming up)
 * lrAt(9, s);   // 1e-3 (peak)
 * lrAt(109, s); // 1e-4 (the floor)
 * ```
 */
export function lrAt(step: number, schedule: LrSchedule): number {
  const { lr, warmup = 0, steps, minLrRatio = 0.1 } = schedule;
  if (!Number.isInteger(step) || step < 0) throw new SasError('E_CONFIG', `lrAt: step must be a non-negative integer, got ${step}`);
  if (!(lr > 0) || !Number.isFinite(lr)) throw new SasError('E_CONFIG', `schedule.lr: expected a positive finite number, got ${lr}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new SasError('E_CONFIG', `schedule.warmup: expected a non-negative integer, got ${warmup}`);
  if (!Number.isInteger(steps) || steps < 1) throw new SasError('E_CONFIG', `schedule.steps: expected a positive integer, got ${steps}`);
  if (!(minLrRatio >= 0 && minLrRatio <= 1)) throw new SasError('E_CONFIG', `schedule.minLrRatio: expected a number in [0, 1], got ${minLrRatio}`);
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const decaySteps = steps - 1 - warmup;
  const progress = decaySteps <= 0 ? 1 : Math.min(1, (step - warmup) / decaySteps);
  return lr * (minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
