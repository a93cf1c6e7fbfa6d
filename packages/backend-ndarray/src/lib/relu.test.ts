import { describe, expect, it } from 'vitest';
import { reluInto } from './relu.js';

const reference = (v: number) => (v < 0 ? 0 : v);
const SPECIAL = [-2.5, 3, -0, 0, NaN, -NaN, -Infinity, Infinity, -1e-45, 1e-45, -3.4e38, 5e-324];

describe('reluInto', () => {
  for (const Type of [Float32Array, Float64Array]) {
    it(`equals x < 0 ? 0 : x bit for bit, ${Type.name}, in place and into another array at offsets`, () => {
      const values = Type.from([...SPECIAL, ...Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 1e3)]);
      const expected = Array.from(values, reference);
      const copy = Type.from(values);
      reluInto(copy, 0, copy, 0, copy.length);
      expect([...copy].every((v, i) => Object.is(v, expected[i]))).toBe(true);
      const out = new Type(values.length + 5).fill(7);
      reluInto(values, 3, out, 2, values.length - 3);
      expect(out[0]).toBe(7);
      expect(out[1]).toBe(7);
      expect(out.slice(2, 2 + values.length - 3).every((v, i) => Object.is(v, expected[i + 3]))).toBe(true);
      expect([...out.slice(values.length - 1)]).toEqual([7, 7, 7, 7, 7, 7].slice(0, out.length - (values.length - 1)));
    });
  }
});
