import { describe, expect, it } from 'vitest';
import { lrAt } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

describe('lrAt: linear warmup, then cosine to a floor', () => {
  const s = { lr: 1e-3, warmup: 4, steps: 14, minLrRatio: 0.1 };

  it('rises linearly to lr over the warmup steps', () => {
    expect([0, 1, 2, 3].map((t) => lrAt(t, s))).toEqual([0.25e-3, 0.5e-3, 0.75e-3, 1e-3]);
  });

  it('then follows the cosine from lr to lr·minLrRatio at the last step, and stays at the floor', () => {
    expect(lrAt(4, s)).toBe(1e-3); // progress 0 (the peak again, then down)
    // halfway through the 9 decay steps (step 8.5 of 4..13): (floor + peak) / 2
    expect((lrAt(8, s) + lrAt(9, s)) / 2).toBeCloseTo(0.55e-3, 4);
    expect(lrAt(13, s)).toBeCloseTo(1e-4, 18);
    expect(lrAt(100, s)).toBeCloseTo(1e-4, 18);
    for (let t = 5; t < 14; t++) expect(lrAt(t, s)).toBeLessThan(lrAt(t - 1, s));
  });

  it('without warmup starts at lr; with minLrRatio 1 is constant', () => {
    expect(lrAt(0, { lr: 0.5, steps: 10 })).toBe(0.5);
    expect(lrAt(7, { lr: 0.5, steps: 10, minLrRatio: 1 })).toBe(0.5);
  });

  it('refuses bad schedules and steps with one E_CONFIG line', () => {
    expect(sasError(() => lrAt(-1, s)).message).toBe('lrAt: step must be a non-negative integer, got -1');
    expect(sasError(() => lrAt(0, { ...s, steps: 0 })).message).toBe('schedule.steps: expected a positive integer, got 0');
    expect(sasError(() => lrAt(0, { ...s, minLrRatio: 2 })).message).toBe('schedule.minLrRatio: expected a number in [0, 1], got 2');
    expect(sasError(() => lrAt(0, { ...s, lr: 0 })).code).toBe('E_CONFIG');
  });
});
