import type { FloatData } from '../handle.js';

/**
 * `y[i] = (addend[i] +) g[i] · step(x[i])` for lo ≤ i < hi, step as the
 * Step kernel gives it (1 where x > 0, 0 where x ≤ 0, NaN for NaN). Each
 * element is exactly what the unfused Mul (and Add) give: g·s is exact, so
 * adding the addend rounds once.
 *
 * @example
 * ```ts
 * import { gateRange } from './gate-loop.js';
 * const y = new Float32Array(3);
 * gateRange(Float32Array.of(1, -1, 2), Float32Array.of(5, 6, 7), undefined, y, 0, 3); // y = [5, 0, 7]
 * ```
 */
export function gateRange(x: FloatData, g: FloatData, addend: FloatData | undefined, y: FloatData, lo: number, hi: number): void {
  // `+(v > 0)` compiles to a compare, not a branch: x's signs are random in a layer, and a
  // mispredicted branch per element made this loop twice as slow. NaN (rare) keeps its branch.
  if (addend) {
    for (let i = lo; i < hi; i++) {
      const v = x[i];
      y[i] = addend[i] + g[i] * (v !== v ? NaN : +(v > 0));
    }
  } else {
    for (let i = lo; i < hi; i++) {
      const v = x[i];
      y[i] = g[i] * (v !== v ? NaN : +(v > 0));
    }
  }
}
