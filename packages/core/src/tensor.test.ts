import { describe, expect, it } from 'vitest';
import { sizeOf, stridesOf, tensor, SasError } from '@sas/core';

describe('tensor', () => {
  it('computes sizes and row-major strides', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
  });
  it('rejects values that do not fill the shape', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(SasError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2,2\]/);
  });
  it('rejects fractional or negative dimensions', () => {
    expect(() => tensor([], [-1])).toThrow(/non-negative integers/);
    expect(() => tensor([1], [0.5])).toThrow(/non-negative integers/);
  });
});
