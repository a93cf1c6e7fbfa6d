import { describe, expect, it } from 'vitest';
import { GraphBuilder, causalMask, softmax, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

const NI = -Infinity;

describe('CausalMask', () => {
  it('masks above the diagonal of a square [3,3] with −Inf (the default fill)', async () => {
    // x = [[1,2,3],[4,5,6],[7,8,9]]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6, 7, 8, 9],
          [3, 3],
        ],
      },
      ({ x }) => causalMask(x),
    );
    expect(y.shape).toEqual([3, 3]);
    expect(Array.from(y.data)).toEqual([1, NI, NI, 4, 5, NI, 7, 8, 9]);
  });

  it("fills with 0 when fill is 'zero'", async () => {
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6, 7, 8, 9],
          [3, 3],
        ],
      },
      ({ x }) => causalMask(x, 'zero'),
    );
    expect(Array.from(y.data)).toEqual([1, 0, 0, 4, 5, 0, 7, 8, 9]);
  });

  it('aligns the diagonal bottom-right when Tq < Tk (queries are the last Tq positions)', async () => {
    // Tq = 2, Tk = 4: row i keeps j ≤ i + (4 − 2); x = [[1,2,3,4],[5,6,7,8]]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6, 7, 8],
          [2, 4],
        ],
      },
      ({ x }) => causalMask(x, 'neg-inf'),
    );
    expect(y.shape).toEqual([2, 4]);
    expect(Array.from(y.data)).toEqual([1, 2, 3, NI, 5, 6, 7, 8]);
    const z = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6, 7, 8],
          [2, 4],
        ],
      },
      ({ x }) => causalMask(x, 'zero'),
    );
    expect(Array.from(z.data)).toEqual([1, 2, 3, 0, 5, 6, 7, 8]);
  });

  it('masks whole leading rows when Tq > Tk', async () => {
    // Tq = 3, Tk = 2: row i keeps j ≤ i − 1; x = [[1,2],[3,4],[5,6]]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6],
          [3, 2],
        ],
      },
      ({ x }) => causalMask(x, 'zero'),
    );
    expect(Array.from(y.data)).toEqual([0, 0, 3, 0, 5, 6]);
  });

  it('masks a single query row against all keys (Tq = 1)', async () => {
    const y = await run(
      {
        x: [
          [1, 2, 3],
          [1, 3],
        ],
      },
      ({ x }) => causalMask(x),
    );
    expect(Array.from(y.data)).toEqual([1, 2, 3]);
  });

  it('masks each matrix of a batch the same way', async () => {
    // [2,2,2]: [[1,2],[3,4]] and [[5,6],[7,8]]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6, 7, 8],
          [2, 2, 2],
        ],
      },
      ({ x }) => causalMask(x),
    );
    expect(y.shape).toEqual([2, 2, 2]);
    expect(Array.from(y.data)).toEqual([1, NI, 3, 4, 5, NI, 7, 8]);
  });

  it('keeps NaN and ±Inf below the diagonal untouched', async () => {
    const y = await run(
      {
        x: [
          [NaN, 1, Infinity, NI],
          [2, 2],
        ],
      },
      ({ x }) => causalMask(x, 'zero'),
    );
    expect(Array.from(y.data)).toEqual([NaN, 0, Infinity, NI]);
  });

  it('feeds softmax as causal attention weights', async () => {
    // scores all 1: row 0 sees key 0 only, row 1 sees both keys
    const y = await run(
      {
        x: [
          [1, 1, 1, 1],
          [2, 2],
        ],
      },
      ({ x }) => softmax(causalMask(x)),
    );
    expect(Array.from(y.data)).toEqual([1, 0, 0.5, 0.5]);
  });
});

describe('CausalMask errors', () => {
  it('rejects rank < 2, naming the op and the shape', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => causalMask(b.input('x', [3])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('CausalMask: needs rank ≥ 2 ([..., Tq, Tk]) (inputs a [3])');
  });

  it('rejects an unknown fill', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 2]);
    const e = sasError(() => causalMask(x, 'ones' as 'zero'));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe(`CausalMask: fill must be 'neg-inf' or 'zero', got "ones"`);
    expect(sasError(() => b.applyByName('CausalMask', [x], {})).code).toBe('E_ATTR');
    expect(sasError(() => b.applyByName('CausalMask', [x], { fill: 0 })).code).toBe('E_ATTR');
  });

  // Bug: checkAttrs tests `fill in FILL_VALUE`, and `in` walks the prototype chain, so
  // inherited names such as 'toString' or 'constructor' pass validation; evaluate then
  // writes FILL_VALUE['toString'] (a function) into a Float64Array, i.e. NaN above the diagonal.
  it("rejects fill names inherited from Object.prototype ('toString')", () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => causalMask(b.input('x', [2, 2]), 'toString' as 'zero'));
    expect(e.code).toBe('E_ATTR');
  });
});
