import { describe, expect, it } from 'vitest';
import { tanh32 } from './tanh.js';

describe('tanh32', () => {
  it('is within 1e-9 relative of Math.tanh below saturation (|x| < 9.1), and rounds to the same float32 almost everywhere over ±12', () => {
    let worst = 0;
    let differentFloats = 0;
    const n = 240_001;
    for (let i = 0; i < n; i++) {
      const x = -12 + (24 * i) / (n - 1);
      const e = Math.tanh(x);
      const a = tanh32(x);
      if (e !== 0 && Math.abs(x) < 9.1) worst = Math.max(worst, Math.abs(a - e) / Math.abs(e));
      if (Math.fround(a) !== Math.fround(e)) differentFloats++;
    }
    expect(worst).toBeLessThan(1e-9);
    // A value within 1e-9 of a float32 rounding boundary may round the other way: a handful at most.
    expect(differentFloats).toBeLessThan(n / 1000);
  });

  it('keeps its accuracy for tiny arguments (no cancellation) and its edge values', () => {
    for (const x of [1e-3, 1e-6, 1e-9, 1e-20, 1e-300, 5e-324]) {
      expect(Math.abs(tanh32(x) - Math.tanh(x)) / Math.tanh(x), `x = ${x}`).toBeLessThan(1e-9);
      expect(tanh32(-x)).toBe(-tanh32(x));
    }
    expect(Object.is(tanh32(0), 0)).toBe(true);
    expect(Object.is(tanh32(-0), -0)).toBe(true);
    expect(Math.fround(tanh32(Number.POSITIVE_INFINITY))).toBe(1);
    expect(Math.fround(tanh32(Number.NEGATIVE_INFINITY))).toBe(-1);
    expect(Math.fround(tanh32(1e30))).toBe(1);
    expect(tanh32(Number.NaN)).toBeNaN();
  });
});
