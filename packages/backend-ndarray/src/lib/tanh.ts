// tanh for float32 results without Math.tanh, which V8 runs as a call into
// its C++ math library (~20–40 ns a value on the CI machine, 40 ms per GELU
// of the benchmark model). Written out from the definition:
// tanh|x| = E / (E + 2) with E = e^(2|x|) − 1, and E from a range reduction
// 2|x| = k·ln2 + r, |r| ≤ ln2/2, so E = 2^k·(e^r − 1) + (2^k − 1) with
// e^r − 1 by its Taylor series to r⁸/8! (the first term left out is below
// 0.347⁹/9! = 2.1e-10), evaluated by Horner's rule on the coefficients 1/n!
// (multiplications only: one division per value, the last; dividing by
// 3, 5, 6 and 7 inside the series cost as much as all the rest). No term
// cancels: for k = 0, E is the series itself (accurate however small x is);
// for k ≥ 1, 2^k·(e^r − 1) ≥ −0.3·2^k is small next to 2^k − 1. Relative
// error about 1e-9, far below float32's 6e-8 rounding step; float64 graphs
// keep Math.tanh. The WebAssembly form (wasm/elementwise-kernel.ts) performs
// the same operations, so both round alike.

const LN2 = Math.LN2;
/** 1/ln2 as the range reduction multiplies by it (exported for the WebAssembly form). */
export const INV_LN2 = 1 / Math.LN2;
/** Arguments are clamped here: tanh(9.1) rounds to 1 in float32 (1 − 2.5e-8 is nearer to 1 than to 1 − 6e-8). */
export const SATURATED = 9.1;
/** 2^k for the k of 2|x| < 18.2 (k ≤ 27): a table, since `2 ** k` is a library call too. */
const POW2 = Float64Array.from({ length: 28 }, (_, k) => 2 ** k);
/** 1/n! for n = 2 … 8, the Taylor coefficients of e^r − 1 after the first. */
export const TANH_SERIES = [2, 3, 4, 5, 6, 7, 8].map((n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return 1 / f;
});
const [C2, C3, C4, C5, C6, C7, C8] = TANH_SERIES;

/**
 * tanh(x) to about 1e-9 relative below |x| = 9.1, for values stored as
 * float32: beyond, tanh(±9.1) = ±(1 − 2.5e-8), which rounds to ±1 in
 * float32 (±Infinity included). NaN stays NaN, ±0 keeps its sign.
 *
 * @example
 * ```ts
 * import { tanh32 } from './tanh.js';
 * Math.fround(tanh32(0.5)) === Math.fround(Math.tanh(0.5)); // true
 * Math.fround(tanh32(-Infinity)); // -1
 * ```
 */
export function tanh32(x: number): number {
  // Clamped rather than branched on (NaN passes through the min and the arithmetic).
  const y = 2 * Math.min(Math.abs(x), SATURATED);
  // Round to nearest (y ≥ 0); Math.round is a slower path in V8 here.
  const k = (y * INV_LN2 + 0.5) | 0;
  const r = y - k * LN2;
  // e^r − 1 = r·(1 + r·(1/2! + r·(1/3! + … + r/8!)))
  const em1 = r * (1 + r * (C2 + r * (C3 + r * (C4 + r * (C5 + r * (C6 + r * (C7 + r * C8)))))));
  const scale = POW2[k];
  const e = scale * em1 + (scale - 1);
  const t = e / (e + 2);
  return x < 0 ? -t : x === 0 ? x : t;
}
