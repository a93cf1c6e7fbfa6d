import { describe, expect, it } from 'vitest';
import { applyEpilogue, shiftEpilogue, type Epilogue } from './epilogue.js';

// A 4×3 product C (row stride 3) with a row bias, a column bias and one addend.
const rowBias = Float32Array.of(100, 200, 300, 400);
const colBias = Float32Array.of(10, 20, 30);
const addend = Float32Array.from({ length: 12 }, (_, i) => i);
const EP: Epilogue = { rowBias: { data: rowBias, off: 0 }, colBias: { data: colBias, off: 0 }, addends: [{ data: addend, off: 0 }] };

/** The whole 4×3 C with the epilogue applied to zeros. */
function whole(): Float32Array {
  const c = new Float32Array(12);
  applyEpilogue(c, 0, 3, 0, 4, 3, EP);
  return c;
}

describe('shiftEpilogue', () => {
  it('a row chunk gets the rows of the whole product', () => {
    const c = new Float32Array(6);
    applyEpilogue(c, 0, 3, 0, 2, 3, shiftEpilogue(EP, { rows: 2, ldc: 3 })!);
    expect(Array.from(c)).toEqual(Array.from(whole().subarray(6, 12)));
  });

  it('a column panel gets the columns of the whole product', () => {
    const c = new Float32Array(12);
    // Columns 1..2 written at their place in C: the panel starts one column in.
    applyEpilogue(c, 1, 3, 0, 4, 2, shiftEpilogue(EP, { cols: 1 })!);
    const want = whole();
    for (let r = 0; r < 4; r++) expect([c[r * 3 + 1], c[r * 3 + 2]]).toEqual([want[r * 3 + 1], want[r * 3 + 2]]);
  });

  it('another matrix of a batch moves the addends only (biases restart)', () => {
    const shifted = shiftEpilogue({ ...EP, addends: [{ data: new Float32Array(24).fill(1), off: 0 }] }, { offset: 12 })!;
    expect(shifted.rowBias?.off).toBe(0);
    expect(shifted.colBias?.off).toBe(0);
    expect(shifted.addends?.[0].off).toBe(12);
  });

  it('returns the epilogue itself when nothing moves, and undefined for none', () => {
    expect(shiftEpilogue(EP, {})).toBe(EP);
    expect(shiftEpilogue(undefined, { rows: 3, ldc: 3 })).toBeUndefined();
  });
});
