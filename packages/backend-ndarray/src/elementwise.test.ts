import { describe, expect, it } from 'vitest';
import { checkOp, DTYPES } from './test/helpers.js';

// Shape pairs covering each broadcast stride case of the row loops: equal
// shapes, a trailing-axis row, scalars on either side, size-1 axes on both
// sides (outer products), leading broadcast, and empty tensors.
const PAIRS: [number[], number[]][] = [
  [
    [7, 5],
    [7, 5],
  ],
  [[6, 8], [8]],
  [[8], [6, 8]],
  [[3, 4], []],
  [[], [3, 4]],
  [[], []],
  [[1], [1]],
  [
    [3, 1, 5],
    [1, 4, 1],
  ],
  [
    [2, 1],
    [1, 3],
  ],
  [
    [4, 1],
    [4, 6],
  ],
  [
    [2, 3, 1, 5],
    [3, 4, 5],
  ],
  [
    [2, 1, 3, 1],
    [1, 5, 1, 7],
  ],
  [[0, 3], [3]],
  [
    [5, 33],
    [5, 1],
  ],
];

describe('binary elementwise kernels match the reference under broadcasting', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    for (const dtype of DTYPES) {
      it(`${op} ${dtype}`, async () => {
        for (const [i, shapes] of PAIRS.entries()) await checkOp(op, shapes, {}, { dtype, seed: i + 1 });
      });
    }
  }

  it('Equal compares exactly, broadcast both ways', async () => {
    // Small integers so that many pairs are equal.
    const round = (v: number) => Math.round(v);
    for (const dtype of DTYPES) {
      for (const [i, shapes] of PAIRS.entries()) {
        const y = await checkOp('Equal', shapes, {}, { dtype, seed: i + 7, map: round });
        expect([...y.data].every((v) => v === 0 || v === 1)).toBe(true);
      }
    }
  });

  it('Div follows IEEE for zero denominators', async () => {
    await checkOp('Div', [[4], [4]], {}, { map: (v, i) => (i % 2 === 0 ? 0 : v) });
  });
});

describe('unary elementwise kernels match the reference', () => {
  const shapes = [[], [1], [5], [3, 17], [2, 3, 4, 5], [0, 4]];
  for (const op of ['Neg', 'Exp', 'Relu', 'Step', 'Sqrt', 'Log']) {
    for (const dtype of DTYPES) {
      it(`${op} ${dtype}, including 0, negatives, NaN and ±Inf`, async () => {
        for (const [i, shape] of shapes.entries()) await checkOp(op, [shape], {}, { dtype, seed: i + 3 });
        // IEEE edge cases: log 0, sqrt of a negative, NaN in Step/Relu, −0.
        const specials = [0, -0, -1, 1, NaN, Infinity, -Infinity, 1e-30];
        await checkOp(op, [[specials.length]], {}, { dtype, map: (_v, i) => specials[i] });
      });
    }
  }
});
