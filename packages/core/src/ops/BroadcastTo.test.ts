import { describe, expect, it } from 'vitest';
import { GraphBuilder, broadcastTo, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

describe('BroadcastTo', () => {
  it('repeats a vector along a new leading axis ([3] → [2,3])', async () => {
    const y = await run({ x: [[1, 2, 3], [3]] }, ({ x }) => broadcastTo(x, [2, 3]));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('repeats a column along a size-1 axis ([2,1] → [2,3])', async () => {
    // [[1],[2]] → [[1,1,1],[2,2,2]]
    const y = await run(
      {
        x: [
          [1, 2],
          [2, 1],
        ],
      },
      ({ x }) => broadcastTo(x, [2, 3]),
    );
    expect(Array.from(y.data)).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('adds leading axes and expands size-1 axes together ([2,1] → [3,2,2])', async () => {
    // each of the 3 copies is [[1,1],[2,2]]
    const y = await run(
      {
        x: [
          [1, 2],
          [2, 1],
        ],
      },
      ({ x }) => broadcastTo(x, [3, 2, 2]),
    );
    expect(y.shape).toEqual([3, 2, 2]);
    expect(Array.from(y.data)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
  });

  it('expands a size-1 middle axis ([2,1,2] → [2,3,2])', async () => {
    // x = [[[1,2]],[[3,4]]]: y[i][j][k] = x[i][0][k]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4],
          [2, 1, 2],
        ],
      },
      ({ x }) => broadcastTo(x, [2, 3, 2]),
    );
    expect(Array.from(y.data)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  });

  it('fills a shape from a rank-0 value', async () => {
    const y = await run({ x: [[7], []] }, ({ x }) => broadcastTo(x, [2, 2]));
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([7, 7, 7, 7]);
  });

  it('is the identity when the shape is unchanged', async () => {
    const y = await run(
      {
        x: [
          [1, 2, 3, 4],
          [2, 2],
        ],
      },
      ({ x }) => broadcastTo(x, [2, 2]),
    );
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4]);
  });
});

describe('BroadcastTo errors', () => {
  it('rejects a target whose axis clashes with the input', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => broadcastTo(b.input('x', [3]), [2, 4]));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('BroadcastTo: shapes do not broadcast: axis -1 is 3 vs 4 (inputs a [3], b [2,4])');
  });

  it('rejects a target that would need the input to shrink or lose axes (one-directional)', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => broadcastTo(b.input('x', [3]), [1]));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('BroadcastTo: cannot broadcast to [1] (inputs a [3])');
    const e2 = sasError(() => broadcastTo(b.input('y', [2, 3]), [3]));
    expect(e2.code).toBe('E_SHAPE');
    expect(e2.message).toBe('BroadcastTo: cannot broadcast to [3] (inputs a [2,3])');
    const e3 = sasError(() => broadcastTo(b.input('z', [2, 1]), [2, 1, 1]));
    expect(e3.code).toBe('E_SHAPE');
    expect(e3.message).toContain('cannot broadcast to [2,1,1]');
  });

  it('rejects negative or fractional target dimensions as attribute errors', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [1]);
    const e = sasError(() => broadcastTo(x, [-2]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('BroadcastTo: shape must be non-negative integers, got [-2]');
    expect(sasError(() => broadcastTo(x, [2.5])).code).toBe('E_ATTR');
  });
});
