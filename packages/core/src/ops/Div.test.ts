import { describe, expect, it } from 'vitest';
import { GraphBuilder, div, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

describe('Div', () => {
  it('divides same-shaped tensors', async () => {
    // [[1,2],[3,4]] / [[2,4],[6,8]] = 0.5 everywhere
    const y = await run(
      {
        a: [
          [1, 2, 3, 4],
          [2, 2],
        ],
        b: [
          [2, 4, 6, 8],
          [2, 2],
        ],
      },
      ({ a, b }) => div(a, b),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('keeps operand order when a number is lifted on either side', async () => {
    const right = await run({ x: [[1, 2, 4, 8], [4]] }, ({ x }) => div(x, 4));
    expect(Array.from(right.data)).toEqual([0.25, 0.5, 1, 2]);
    const left = await run({ x: [[1, 2, 4, 8], [4]] }, ({ x }) => div(1, x));
    expect(Array.from(left.data)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it('broadcasts a column ([2,2] / [2,1])', async () => {
    // [[2,4],[6,9]] / [[2],[3]] = [[1,2],[2,3]]
    const y = await run(
      {
        a: [
          [2, 4, 6, 9],
          [2, 2],
        ],
        b: [
          [2, 3],
          [2, 1],
        ],
      },
      ({ a, b }) => div(a, b),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 2, 3]);
  });

  it('broadcasts size-1 axes on both sides ([1,2] / [2,1])', async () => {
    // y[i][j] = [6,12][j] / [2,3][i]
    const y = await run(
      {
        a: [
          [6, 12],
          [1, 2],
        ],
        b: [
          [2, 3],
          [2, 1],
        ],
      },
      ({ a, b }) => div(a, b),
    );
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([3, 6, 2, 4]);
  });

  it('gives IEEE ±Inf and NaN for division by zero', async () => {
    const y = await run({ a: [[1, -1, 0, 1], [4]], b: [[0, 0, 0, -0], [4]] }, ({ a, b }) => div(a, b));
    expect(Array.from(y.data)).toEqual([Infinity, -Infinity, NaN, -Infinity]);
  });

  it('rejects shapes that do not broadcast, naming the op and both shapes', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => div(b.input('a', [2, 3, 4]), b.input('b', [5, 1])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Div: shapes do not broadcast: axis -2 is 3 vs 5 (inputs a [2,3,4], b [5,1])');
  });
});
