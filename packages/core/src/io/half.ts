// Bit-level conversion between numbers and the 16-bit float formats of
// safetensors: IEEE 754 binary16 (F16) and bfloat16 (BF16). Decoding is exact
// (both formats are subsets of float32); encoding rounds to nearest, ties to
// even, straight from the float64 value (no double rounding through float32).

const F16 = { expBits: 5, mantBits: 10 } as const;
const BF16 = { expBits: 8, mantBits: 7 } as const;

/**
 * Decodes IEEE binary16 bits (0..0xFFFF) to the number they stand for:
 * subnormals, ±0, ±Infinity and NaN included.
 *
 * @example
 * ```ts
 * f16ToNumber(0x3c00); // 1
 * f16ToNumber(0x0001); // 2 ** -24
 * ```
 */
export function f16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (mant + 0x400) * 2 ** (exp - 25);
}

/**
 * Encodes a number as IEEE binary16 bits, rounding to nearest-even;
 * overflow gives ±Infinity, NaN gives the quiet NaN 0x7E00.
 *
 * @example
 * ```ts
 * numberToF16(1);      // 0x3c00
 * numberToF16(65504);  // 0x7bff (largest finite)
 * numberToF16(65520);  // 0x7c00 (ties to even: rounds up to Infinity)
 * ```
 */
export function numberToF16(x: number): number {
  return encodeSmallFloat(x, F16.expBits, F16.mantBits);
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/**
 * Decodes bfloat16 bits (the top half of a float32) to a number, exactly.
 *
 * @example
 * ```ts
 * bf16ToNumber(0x3f80); // 1
 * bf16ToNumber(0xc049); // -3.140625
 * ```
 */
export function bf16ToNumber(bits: number): number {
  scratchU32[0] = (bits & 0xffff) << 16;
  return scratchF32[0];
}

/**
 * Encodes a number as bfloat16 bits, rounding to nearest-even;
 * overflow gives ±Infinity, NaN gives the quiet NaN 0x7FC0.
 *
 * @example
 * ```ts
 * numberToBf16(1);       // 0x3f80
 * numberToBf16(Math.PI); // 0x4049 (3.140625)
 * ```
 */
export function numberToBf16(x: number): number {
  return encodeSmallFloat(x, BF16.expBits, BF16.mantBits);
}

/** Rounds `x` to a binary float with the given field widths and returns its bits. */
function encodeSmallFloat(x: number, expBits: number, mantBits: number): number {
  const expAllOnes = (1 << expBits) - 1;
  const infBits = expAllOnes * 2 ** mantBits;
  if (Number.isNaN(x)) return infBits + 2 ** (mantBits - 1);
  const sign = x < 0 || Object.is(x, -0) ? 2 ** (expBits + mantBits) : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  if (a === Infinity) return sign + infBits;
  const bias = (1 << (expBits - 1)) - 1;
  // Subnormals share the quantum of the smallest normal binade.
  const e = Math.max(floorLog2(a), 1 - bias);
  const q = roundHalfEven(a / 2 ** (e - mantBits)); // exact scaling by a power of two
  // q is the significand with its implicit bit; a carry into 2^(mantBits+1)
  // (or from subnormal into normal) bumps the exponent field by itself.
  const bits = (e + bias - 1) * 2 ** mantBits + q;
  return bits >= infBits ? sign + infBits : sign + bits;
}

/** floor(log2(a)) for finite a > 0, exact (Math.log2 can be off by one near powers of two). */
function floorLog2(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** Rounds a non-negative number below 2^53 to the nearest integer, ties to even. */
function roundHalfEven(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}
