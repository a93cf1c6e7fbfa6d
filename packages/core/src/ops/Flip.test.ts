import { describe, expect, it } from 'vitest';
import { GraphBuilder, flip, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

const X: [number[], number[]] = [
  [1, 2, 3, 4, 5, 6],
  [2, 3],
];

describe('Flip', () => {
  it('reverses a vector', async () => {
    const y = await run({ x: [[1, 2, 3, 4], [4]] }, ({ x }) => flip(x, 0));
    expect(Array.from(y.data)).toEqual([4, 3, 2, 1]);
  });

  it('reverses each row along the last axis (axis 1 or −1)', async () => {
    // [[1,2,3],[4,5,6]] → [[3,2,1],[6,5,4]]
    const y = await run({ x: X }, ({ x }) => flip(x, 1));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([3, 2, 1, 6, 5, 4]);
    const z = await run({ x: X }, ({ x }) => flip(x, -1));
    expect(Array.from(z.data)).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('reverses the row order along axis 0', async () => {
    const y = await run({ x: X }, ({ x }) => flip(x, 0));
    expect(Array.from(y.data)).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('reverses the middle axis of a rank-3 tensor', async () => {
    // x[i][j][k] = 6i + 2j + k, shape [2,3,2]; y[i][j][k] = x[i][2−j][k]
    const x: [number[], number[]] = [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      [2, 3, 2],
    ];
    const y = await run({ x }, (v) => flip(v.x, 1));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual([4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7]);
    const z = await run({ x }, (v) => flip(v.x, -2));
    expect(Array.from(z.data)).toEqual([4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7]);
  });

  it('is its own inverse', async () => {
    const y = await run({ x: X }, ({ x }) => flip(flip(x, 0), 0));
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('Flip errors', () => {
  it('rejects an axis out of range, naming the op, the axis and the rank', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => flip(x, 2));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Flip: axis 2 is out of range for rank 2 (input [2,3])');
    const e2 = sasError(() => flip(x, -3));
    expect(e2.code).toBe('E_ATTR');
    expect(e2.message).toBe('Flip: axis -3 is out of range for rank 2 (input [2,3])');
  });

  it('rejects a fractional axis and any axis of a rank-0 value', () => {
    const b = new GraphBuilder('float64');
    expect(sasError(() => flip(b.input('x', [2, 3]), 0.5)).code).toBe('E_ATTR');
    const e = sasError(() => flip(b.input('s', []), 0));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Flip: axis 0 is out of range for rank 0 (input [])');
  });
});
