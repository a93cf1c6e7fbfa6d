import { describe, expect, it } from 'vitest';
import { checkOp, DTYPES, ENGINES } from './test/helpers.js';

const SHAPE = [2, 3, 1, 5, 4];
// Leading, trailing, middle, several, all, none, and around a size-1 axis.
const AXES = [[0], [4], [1], [3], [0, 1], [1, 3], [0, 2, 4], [0, 1, 2, 3, 4], [], [2], [1, 2]];

describe('reductions match the reference', () => {
  for (const op of ['ReduceSum', 'ReduceMax']) {
    for (const dtype of DTYPES) {
      it(`${op} ${dtype} over every axis pattern, with and without keepDims`, async () => {
        for (const [i, axes] of AXES.entries()) {
          for (const keepDims of [false, true]) await checkOp(op, [SHAPE], { axes, keepDims }, { dtype, seed: i + 1 });
        }
        await checkOp(op, [[]], { axes: [], keepDims: false }, { dtype });
        await checkOp(op, [[6]], { axes: [0], keepDims: false }, { dtype });
        await checkOp(op, [[3, 0]], { axes: [1], keepDims: true }, { dtype });
      });
    }
  }

  it('ReduceMax propagates NaN like the reference', async () => {
    const y = await checkOp('ReduceMax', [[2, 3]], { axes: [1], keepDims: false }, { map: (v, i) => (i === 4 ? NaN : v) });
    expect(Number.isNaN(y.data[1])).toBe(true);
  });

  it('ReduceSum of many float32 values accumulates in double', async () => {
    await checkOp('ReduceSum', [[4096, 3]], { axes: [0], keepDims: false }, { atol: 1e-6, rtol: 1e-6 });
    // Bias-gradient shapes: leading axes summed four rows at a time, with 1–3 rows left over.
    for (const [i, rows] of [5, 6, 7, 13].entries())
      await checkOp('ReduceSum', [[rows, 3, 10]], { axes: [0, 1], keepDims: false }, { atol: 1e-6, rtol: 1e-6, seed: i + 1 });
    await checkOp('ReduceSum', [[2, 9, 5]], { axes: [1], keepDims: true }, { atol: 1e-6, rtol: 1e-6 });
  });
});

describe.each(ENGINES)('Softmax matches the reference ($label)', ({ backend }) => {
  for (const dtype of DTYPES) {
    it(`Softmax over the last axis, ${dtype}`, async () => {
      for (const [i, shape] of [[1], [7], [3, 5], [2, 3, 9], [2, 1, 1], [3, 300], [70000, 4]].entries())
        await checkOp('Softmax', [shape], {}, { dtype, seed: i + 1, backend });
      // Large values (stability), −Inf entries (masked: exactly 0), an all −Inf row (NaN), NaN, +Inf.
      await checkOp('Softmax', [[2, 4]], {}, { dtype, backend, map: (v, i) => (i === 1 ? -Infinity : i === 6 ? 1000 : v * 50) });
      await checkOp('Softmax', [[2, 3]], {}, { dtype, backend, map: (v, i) => (i < 3 ? -Infinity : v) });
      await checkOp('Softmax', [[3, 5]], {}, { dtype, backend, map: (v, i) => (i === 2 ? NaN : i === 7 ? Infinity : i === 12 ? -200 : v) });
    });
  }
});

describe('CausalMask matches the reference', () => {
  for (const dtype of DTYPES) {
    it(`CausalMask, square and bottom-right aligned rectangles, both fills, ${dtype}`, async () => {
      for (const fill of ['neg-inf', 'zero']) {
        for (const [i, shape] of [
          [4, 4],
          [2, 3, 5, 5],
          [3, 6],
          [6, 3],
          [1, 1],
          [2, 1, 7],
        ].entries())
          await checkOp('CausalMask', [shape], { fill }, { dtype, seed: i + 1 });
      }
    });
  }
});
