import { describe, it } from 'vitest';
import { checkOp, DTYPES, ENGINES } from './test/helpers.js';

// [N, C, L], [O, C, k], pad: pad 0 (valid), same padding, pad > k/2 (longer
// output), k = 1, single channels/samples, SAS's conv over the head axis, no
// channels at all, enough samples to span several staged chunks, and long
// kernels with short outputs (a conv's weight gradient: one product per sample).
const CASES: [number[], number[], number][] = [
  [[1, 1, 5], [1, 1, 3], 0],
  [[1, 1, 5], [1, 1, 3], 1],
  [[2, 3, 8], [4, 3, 3], 0],
  [[2, 3, 8], [4, 3, 3], 1],
  [[2, 3, 8], [4, 3, 3], 2],
  [[3, 2, 6], [5, 2, 5], 2],
  [[3, 2, 6], [5, 2, 5], 4],
  [[4, 2, 7], [3, 2, 1], 0],
  [[2, 5, 3], [2, 5, 3], 1],
  [[1, 2, 4], [1, 2, 4], 0],
  [[9, 4, 16], [8, 4, 3], 1],
  [[9, 8, 16], [8, 8, 3], 1],
  [[2, 0, 5], [3, 0, 3], 1],
  [[1600, 5, 9], [7, 5, 3], 1],
  [[3, 4, 20], [2, 4, 18], 0],
  [[5, 6, 64], [3, 6, 64], 1],
];

describe.each(ENGINES)('Conv1d matches the reference ($label)', ({ backend }) => {
  for (const dtype of DTYPES) {
    it(`pad 0 and pad > 0, k = 1..5, ${dtype}`, async () => {
      for (const [i, [x, w, pad]] of CASES.entries()) await checkOp('Conv1d', [x, w], { pad }, { dtype, seed: i + 1, backend });
    });
  }
});
