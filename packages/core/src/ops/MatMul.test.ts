import { describe, expect, it } from 'vitest';
import { GraphBuilder, matMul, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** Builds `f(inputs)` on a float64 graph and evaluates it with the reference interpreter. */
async function run(inputs: Record<string, [number[], number[]]>, f: (x: Record<string, NodeRef>) => NodeRef): Promise<Tensor> {
  const b = new GraphBuilder('float64');
  const refs: Record<string, NodeRef> = {};
  const feeds: Record<string, Tensor> = {};
  for (const [name, [values, shape]] of Object.entries(inputs)) {
    refs[name] = b.input(name, shape);
    feeds[name] = tensor(values, shape);
  }
  b.output('y', f(refs));
  return (await evaluateReference(b.build(), feeds, { nonFinite: 'allow' })).y;
}

// A = [[1,2,3],[4,5,6]] (2×3), B = [[7,8],[9,10],[11,12]] (3×2)
// A·B = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]] = [[58,64],[139,154]]
const A = [1, 2, 3, 4, 5, 6];
const At = [1, 4, 2, 5, 3, 6]; // Aᵀ stored row-major, 3×2
const B = [7, 8, 9, 10, 11, 12];
const Bt = [7, 9, 11, 8, 10, 12]; // Bᵀ stored row-major, 2×3
const AB = [58, 64, 139, 154];

describe('MatMul', () => {
  it('multiplies [2,3]·[3,2]', async () => {
    const y = await run({ a: [A, [2, 3]], b: [B, [3, 2]] }, ({ a, b }) => matMul(a, b));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual(AB);
  });

  it('reads a stored transpose with transposeA', async () => {
    const y = await run({ a: [At, [3, 2]], b: [B, [3, 2]] }, ({ a, b }) => matMul(a, b, true, false));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual(AB);
  });

  it('reads a stored transpose with transposeB', async () => {
    const y = await run({ a: [A, [2, 3]], b: [Bt, [2, 3]] }, ({ a, b }) => matMul(a, b, false, true));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual(AB);
  });

  it('reads both stored transposes with transposeA and transposeB', async () => {
    const y = await run({ a: [At, [3, 2]], b: [Bt, [2, 3]] }, ({ a, b }) => matMul(a, b, true, true));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual(AB);
  });

  it('gives four different products of the same square operands', async () => {
    // P = [[1,2],[3,4]], Q = [[5,6],[7,8]]
    const feeds: Record<string, [number[], number[]]> = {
      p: [
        [1, 2, 3, 4],
        [2, 2],
      ],
      q: [
        [5, 6, 7, 8],
        [2, 2],
      ],
    };
    // P·Q = [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]]
    expect(Array.from((await run(feeds, ({ p, q }) => matMul(p, q))).data)).toEqual([19, 22, 43, 50]);
    // Pᵀ·Q = [[1,3],[2,4]]·Q = [[1·5+3·7, 1·6+3·8], [2·5+4·7, 2·6+4·8]]
    expect(Array.from((await run(feeds, ({ p, q }) => matMul(p, q, true, false))).data)).toEqual([26, 30, 38, 44]);
    // P·Qᵀ = P·[[5,7],[6,8]] = [[1·5+2·6, 1·7+2·8], [3·5+4·6, 3·7+4·8]]
    expect(Array.from((await run(feeds, ({ p, q }) => matMul(p, q, false, true))).data)).toEqual([17, 23, 39, 53]);
    // Pᵀ·Qᵀ = [[1,3],[2,4]]·[[5,7],[6,8]] = [[1·5+3·6, 1·7+3·8], [2·5+4·6, 2·7+4·8]]
    expect(Array.from((await run(feeds, ({ p, q }) => matMul(p, q, true, true))).data)).toEqual([23, 31, 34, 46]);
  });

  it('multiplies a row by a column and a column by a row ([1,3]·[3,1], [3,1]·[1,2])', async () => {
    const dot = await run(
      {
        a: [
          [1, 2, 3],
          [1, 3],
        ],
        b: [
          [4, 5, 6],
          [3, 1],
        ],
      },
      ({ a, b }) => matMul(a, b),
    );
    expect(dot.shape).toEqual([1, 1]);
    expect(Array.from(dot.data)).toEqual([32]); // 4 + 10 + 18
    const outer = await run(
      {
        a: [
          [1, 2, 3],
          [3, 1],
        ],
        b: [
          [10, 100],
          [1, 2],
        ],
      },
      ({ a, b }) => matMul(a, b),
    );
    expect(outer.shape).toEqual([3, 2]);
    expect(Array.from(outer.data)).toEqual([10, 100, 20, 200, 30, 300]);
  });

  it('broadcasts a rank-2 operand over the batch of the other ([2,2,2]·[2,2])', async () => {
    // batch 0: P·Q = [[19,22],[43,50]]; batch 1: (2P)·Q = [[38,44],[86,100]]
    const y = await run(
      {
        a: [
          [1, 2, 3, 4, 2, 4, 6, 8],
          [2, 2, 2],
        ],
        b: [
          [5, 6, 7, 8],
          [2, 2],
        ],
      },
      ({ a, b }) => matMul(a, b),
    );
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.data)).toEqual([19, 22, 43, 50, 38, 44, 86, 100]);
  });

  it('broadcasts batch axes on both sides ([2,1,2,3]·[3,3,2] → [2,3,2,2])', async () => {
    // a[0,0] = [[1,0,0],[0,1,0]] picks rows 0 and 1 of each b[j];
    // a[1,0] = [[0,0,1],[1,1,1]] picks row 2 and the sum of the rows.
    const a = [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1];
    // b[0] = [[1,2],[3,4],[5,6]], b[1] = [[0,1],[1,0],[2,2]], b[2] = [[−1,0],[0,−1],[1,1]]
    const b = [1, 2, 3, 4, 5, 6, 0, 1, 1, 0, 2, 2, -1, 0, 0, -1, 1, 1];
    const y = await run({ a: [a, [2, 1, 2, 3]], b: [b, [3, 3, 2]] }, (x) => matMul(x.a, x.b));
    expect(y.shape).toEqual([2, 3, 2, 2]);
    expect(Array.from(y.data)).toEqual([
      // i = 0: rows 0,1 of b[0], b[1], b[2]
      1, 2, 3, 4, 0, 1, 1, 0, -1, 0, 0, -1,
      // i = 1: [row 2; row 0 + row 1 + row 2] of b[0], b[1], b[2]
      5, 6, 9, 12, 2, 2, 3, 3, 1, 1, 0, 0,
    ]);
  });

  it('combines batch broadcasting with transposeB (attention scores q·kᵀ)', async () => {
    // q: 2 batches of I₂ and 2·I₂; k: one [3,2] key matrix shared by both batches
    const q = [1, 0, 0, 1, 2, 0, 0, 2];
    const k = [1, 2, 3, 4, 5, 6]; // rows [1,2], [3,4], [5,6]
    const y = await run({ q: [q, [2, 2, 2]], k: [k, [1, 3, 2]] }, (x) => matMul(x.q, x.k, false, true));
    expect(y.shape).toEqual([2, 2, 3]);
    // I·kᵀ = kᵀ = [[1,3,5],[2,4,6]]; 2I·kᵀ = [[2,6,10],[4,8,12]]
    expect(Array.from(y.data)).toEqual([1, 3, 5, 2, 4, 6, 2, 6, 10, 4, 8, 12]);
  });

  it('combines batch broadcasting with transposeA', async () => {
    // a: [2,2,1] holds columns [1,2]ᵀ and [3,4]ᵀ; aᵀ·b with b = [[1,1],[0,1]] shared
    const y = await run(
      {
        a: [
          [1, 2, 3, 4],
          [2, 2, 1],
        ],
        b: [
          [1, 1, 0, 1],
          [2, 2],
        ],
      },
      (x) => matMul(x.a, x.b, true, false),
    );
    expect(y.shape).toEqual([2, 1, 2]);
    // [1,2]·b = [1, 1+2]; [3,4]·b = [3, 3+4]
    expect(Array.from(y.data)).toEqual([1, 3, 3, 7]);
  });
});

describe('MatMul errors', () => {
  it('rejects inner dimensions that differ, naming the flags and both shapes', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => matMul(b.input('a', [2, 3]), b.input('b', [2, 3])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('MatMul: inner dimensions differ: 3 vs 2 (transposeA=false, transposeB=false) (inputs a [2,3], b [2,3])');
  });

  it('checks the inner dimensions after the transposes', () => {
    const b = new GraphBuilder('float64');
    const a = b.input('a', [2, 3]);
    const c = b.input('c', [2, 3]);
    expect(matMul(a, c, false, true).shape).toEqual([2, 2]);
    expect(matMul(a, c, true, false).shape).toEqual([3, 3]);
    const e = sasError(() => matMul(a, c, true, true));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('MatMul: inner dimensions differ: 2 vs 3 (transposeA=true, transposeB=true) (inputs a [2,3], b [2,3])');
  });

  it('rejects an operand of rank < 2', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => matMul(b.input('a', [3]), b.input('b', [3, 1])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('MatMul: both operands need rank ≥ 2 (inputs a [3], b [3,1])');
  });

  it('rejects batch axes that do not broadcast', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => matMul(b.input('a', [2, 2, 2]), b.input('b', [3, 2, 2])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('MatMul: batch axes do not broadcast: 2 vs 3 (inputs a [2,2,2], b [3,2,2])');
  });

  it('rejects non-boolean transpose flags', () => {
    const b = new GraphBuilder('float64');
    const a = b.input('a', [2, 2]);
    const e = sasError(() => b.applyByName('MatMul', [a, a], { transposeA: 1, transposeB: false }));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('MatMul: transposeA and transposeB must be booleans');
  });
});
