import { describe, it } from 'vitest';
import { checkOp, DTYPES } from './test/helpers.js';

describe('layout kernels match the reference', () => {
  for (const dtype of DTYPES) {
    it(`Transpose: identity, swaps, 3-D/4-D/5-D perms, size-1 axes, tiled 2-D swaps, ${dtype}`, async () => {
      const cases: [number[], number[]][] = [
        [
          [3, 4],
          [0, 1],
        ],
        [
          [3, 4],
          [1, 0],
        ],
        [
          [70, 45],
          [1, 0],
        ],
        [
          [2, 3, 4],
          [2, 0, 1],
        ],
        [
          [2, 3, 4],
          [1, 0, 2],
        ],
        [
          [2, 3, 4],
          [2, 1, 0],
        ],
        [
          [2, 33, 5, 40],
          [0, 2, 1, 3],
        ],
        [
          [2, 5, 3, 37],
          [0, 1, 3, 2],
        ],
        [
          [2, 1, 3, 1, 4],
          [4, 3, 2, 1, 0],
        ],
        [
          [1, 6, 1],
          [2, 0, 1],
        ],
        [
          [2, 3, 4, 2, 3],
          [0, 2, 3, 1, 4],
        ],
        [[], []],
        [
          [0, 3],
          [1, 0],
        ],
      ];
      for (const [i, [shape, perm]] of cases.entries()) await checkOp('Transpose', [shape], { perm }, { dtype, seed: i + 1 });
    });
    it(`Reshape, BroadcastTo and Flip, ${dtype}`, async () => {
      await checkOp('Reshape', [[2, 3, 4]], { shape: [6, 4] }, { dtype });
      await checkOp('Reshape', [[5]], { shape: [1, 5, 1] }, { dtype });
      for (const [i, [shape, target]] of (
        [
          [
            [3, 1],
            [2, 3, 4],
          ],
          [[], [2, 2]],
          [[4], [3, 4]],
          [
            [2, 1, 3],
            [2, 5, 3],
          ],
          [[1], [1]],
          [
            [1, 3],
            [0, 3],
          ],
        ] as [number[], number[]][]
      ).entries())
        await checkOp('BroadcastTo', [shape], { shape: target }, { dtype, seed: i + 1 });
      for (const [i, [shape, axis]] of (
        [
          [[5], 0],
          [[2, 3, 4], 0],
          [[2, 3, 4], 1],
          [[2, 3, 4], 2],
          [[2, 3, 4], -1],
          [[3, 1, 2], 1],
        ] as [number[], number][]
      ).entries())
        await checkOp('Flip', [shape], { axis }, { dtype, seed: i + 1 });
    });
  }
});
