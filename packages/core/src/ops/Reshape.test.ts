import { describe, expect, it } from 'vitest';
import { GraphBuilder, reshape, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

describe('Reshape', () => {
  it('keeps the row-major element order under a new shape', async () => {
    // [[1,2,3],[4,5,6]] → [[1,2],[3,4],[5,6]]
    const y = await run({ x: X }, ({ x }) => reshape(x, [3, 2]));
    expect(y.shape).toEqual([3, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('flattens and adds size-1 axes', async () => {
    const flat = await run({ x: X }, ({ x }) => reshape(x, [6]));
    expect(flat.shape).toEqual([6]);
    expect(Array.from(flat.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const lifted = await run({ x: X }, ({ x }) => reshape(x, [1, 2, 1, 3]));
    expect(lifted.shape).toEqual([1, 2, 1, 3]);
    expect(Array.from(lifted.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('converts between rank 0 and one-element shapes', async () => {
    const scalar = await run({ x: [[7], [1, 1]] }, ({ x }) => reshape(x, []));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([7]);
    const back = await run({ x: [[7], []] }, ({ x }) => reshape(x, [1]));
    expect(back.shape).toEqual([1]);
    expect(Array.from(back.data)).toEqual([7]);
  });

  it('is not a transpose: [2,3] → [3,2] differs from the transposed matrix', async () => {
    const y = await run({ x: X }, ({ x }) => reshape(x, [3, 2]));
    expect(Array.from(y.data)).not.toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('Reshape errors', () => {
  it('rejects a size mismatch, naming the op, both sizes and the input shape', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => reshape(b.input('x', [2, 3]), [4]));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Reshape: cannot reshape 6 elements to [4] (inputs a [2,3])');
  });

  it('does not infer −1: negative or fractional dimensions are attribute errors', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = sasError(() => reshape(x, [-1, 3]));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Reshape: shape must be non-negative integers, got [-1,3]');
    expect(sasError(() => reshape(x, [1.5, 4])).code).toBe('E_ATTR');
  });
});
