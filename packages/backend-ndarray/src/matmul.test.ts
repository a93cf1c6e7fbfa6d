import { describe, it } from 'vitest';
import { checkOp, DTYPES, ENGINES } from './test/helpers.js';

/** Operand shapes for op(a)·op(b) with the given logical [..., M, K] and [..., K, N]. */
function shapes(batchA: number[], batchB: number[], m: number, k: number, n: number, ta: boolean, tb: boolean): number[][] {
  return [
    [...batchA, ...(ta ? [k, m] : [m, k])],
    [...batchB, ...(tb ? [n, k] : [k, n])],
  ];
}

const COMBOS: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

// M, K, N: size-1 dims, sizes off the 4×4 register tile, K = 0, and a case
// wide enough (N > 65536/K) to cross the column panels.
const DIMS: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [5, 7, 3],
  [4, 8, 4],
  [13, 17, 9],
  [33, 3, 66],
  [2, 0, 3],
  [9, 300, 250],
  // Aᵀ·B (weight gradient) path: past one 256-column panel and many K blocks.
  [300, 250, 270],
];

// Batch axes: none, equal, broadcast either way, rank mismatch, B unbatched (the tall-A fast path).
const BATCHES: [number[], number[]][] = [
  [[], []],
  [[3], [3]],
  [[2, 1], [3]],
  [[1], [4]],
  [[2, 3], []],
  [[], [2, 3]],
  [
    [2, 1, 2],
    [1, 3, 1],
  ],
];

describe.each(ENGINES)('MatMul matches the reference ($label)', ({ backend }) => {
  for (const [ta, tb] of COMBOS) {
    for (const dtype of DTYPES) {
      it(`transposeA=${ta} transposeB=${tb} ${dtype}: tile edges, K = 0, column panels`, async () => {
        for (const [i, [m, k, n]] of DIMS.entries())
          await checkOp('MatMul', shapes([], [], m, k, n, ta, tb), { transposeA: ta, transposeB: tb }, { dtype, seed: i + 1, backend });
      });
      it(`transposeA=${ta} transposeB=${tb} ${dtype}: batch broadcasting`, async () => {
        for (const [i, [ba, bb]] of BATCHES.entries())
          await checkOp('MatMul', shapes(ba, bb, 6, 5, 7, ta, tb), { transposeA: ta, transposeB: tb }, { dtype, seed: i + 11, backend });
      });
    }
  }

  it('the SAS shapes: batched heads, feature maps, PEAA dense', async () => {
    // scores [B,H',T,D']·[B,H',T,D']ᵀ, probs·V, feature map [N,H',D]·[D',D]ᵀ, dense [B,T,G,HD]·[HD,HD]ᵀ.
    await checkOp(
      'MatMul',
      [
        [1, 3, 37, 16],
        [1, 3, 37, 16],
      ],
      { transposeA: false, transposeB: true },
      { backend },
    );
    await checkOp(
      'MatMul',
      [
        [1, 3, 37, 37],
        [1, 3, 37, 8],
      ],
      { transposeA: false, transposeB: false },
      { backend },
    );
    await checkOp(
      'MatMul',
      [
        [37, 6, 8],
        [16, 8],
      ],
      { transposeA: false, transposeB: true },
      { backend },
    );
    await checkOp(
      'MatMul',
      [
        [1, 37, 2, 24],
        [24, 24],
      ],
      { transposeA: false, transposeB: true },
      { backend },
    );
  });
});
