import type { Tensor } from '@sas/core';

/** The worst element of a comparison, for failure messages. */
export interface Mismatch {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
}

/**
 * Elements where `|a − e| > atol + rtol·|e|`; NaN must meet NaN and ±Inf the
 * same infinity (the ops' edge semantics are part of what the tests check).
 */
export function mismatches(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>, atol: number, rtol: number): Mismatch[] {
  const a = 'data' in actual ? actual.data : actual;
  const e = 'data' in expected ? expected.data : expected;
  if (a.length !== e.length) return [{ index: -1, actual: a.length, expected: e.length }];
  const bad: Mismatch[] = [];
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    const ok = Number.isNaN(y) ? Number.isNaN(x) : Number.isFinite(y) ? Math.abs(x - y) <= atol + rtol * Math.abs(y) : x === y;
    if (!ok) bad.push({ index: i, actual: x, expected: y });
  }
  return bad;
}

/** Largest |a − e| over finite expected elements. */
export function maxAbsError(actual: Tensor, expected: Tensor): number {
  let m = 0;
  for (let i = 0; i < expected.data.length; i++) if (Number.isFinite(expected.data[i])) m = Math.max(m, Math.abs(actual.data[i] - expected.data[i]));
  return m;
}
