import { describe, expect, it } from 'vitest';
import { GraphBuilder, softmax, getOp, evaluateReference, tensor, type NodeRef, type Tensor } from '@sas/core';
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

/** Elementwise closeness within 1e-15 relative, with non-finite values compared exactly. */
function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i];
    if (!Number.isFinite(e)) expect(a).toBe(e);
    else expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(e)));
  });
}

// softmax([a, b]) = [1/(1+e^(b−a)), e^(b−a)/(1+e^(b−a))]; with b − a = 1:
const LOW = 1 / (1 + Math.E); // 0.2689414213699951
const HIGH = Math.E / (1 + Math.E); // 0.7310585786300049

describe('Softmax', () => {
  it('normalises each row of the last axis', async () => {
    // rows [0,0] → [½,½]; [0, ln 3] → [1,3]/4
    const y = await run(
      {
        x: [
          [0, 0, 0, Math.log(3)],
          [2, 2],
        ],
      },
      ({ x }) => softmax(x),
    );
    expect(y.shape).toEqual([2, 2]);
    expectClose(y.data, [0.5, 0.5, 0.25, 0.75]);
  });

  it('is stable for large values ([1000, 1001] does not overflow)', async () => {
    const y = await run(
      {
        x: [
          [1000, 1001, -1000, -999],
          [2, 2],
        ],
      },
      ({ x }) => softmax(x),
    );
    expectClose(y.data, [LOW, HIGH, LOW, HIGH]);
    expect(LOW).toBeCloseTo(0.2689414213699951, 15);
  });

  it('gives masked (−Inf) entries probability 0', async () => {
    // [0, −Inf, ln 3] → [1, 0, 3]/4; [5, −Inf] → [1, 0]
    const y = await run({ x: [[0, -Infinity, Math.log(3)], [3]] }, ({ x }) => softmax(x));
    expectClose(y.data, [0.25, 0, 0.75]);
    const z = await run(
      {
        x: [
          [5, -Infinity],
          [1, 2],
        ],
      },
      ({ x }) => softmax(x),
    );
    expect(Array.from(z.data)).toEqual([1, 0]);
  });

  it('gives NaN for a fully masked row, as PyTorch does, without touching other rows', async () => {
    const y = await run(
      {
        x: [
          [-Infinity, -Infinity, 1, 1],
          [2, 2],
        ],
      },
      ({ x }) => softmax(x),
    );
    expect(Array.from(y.data)).toEqual([NaN, NaN, 0.5, 0.5]);
  });

  it('acts on the last axis only of a rank-3 tensor', async () => {
    // [2,1,2]: rows [1,1] and [1000,1001]
    const y = await run(
      {
        x: [
          [1, 1, 1000, 1001],
          [2, 1, 2],
        ],
      },
      ({ x }) => softmax(x),
    );
    expect(y.shape).toEqual([2, 1, 2]);
    expectClose(y.data, [0.5, 0.5, LOW, HIGH]);
  });

  it('gives 1 on a length-1 axis', async () => {
    const y = await run(
      {
        x: [
          [-5, 7],
          [2, 1],
        ],
      },
      ({ x }) => softmax(x),
    );
    expect(Array.from(y.data)).toEqual([1, 1]);
  });

  it('has a decomposition giving the same numbers, masked and large rows included', async () => {
    const decompose = getOp('Softmax').decompose!;
    const x: [number[], number[]] = [
      [1000, 1001, 0, -Infinity, Math.log(3), 0],
      [2, 3],
    ];
    // rows [1000,1001,0] → [LOW, HIGH, ~0] (e^−1001 underflows), [−Inf, ln 3, 0] → [0, ¾, ¼]
    const expected = [LOW, HIGH, 0, 0, 0.75, 0.25];
    const fused = await run({ x }, (v) => softmax(v.x));
    const decomposed = await run({ x }, (v) => decompose([v.x], {}));
    expectClose(fused.data, expected);
    expect(decomposed.shape).toEqual([2, 3]);
    expectClose(decomposed.data, expected);
  });
});

describe('Softmax errors', () => {
  it('rejects a rank-0 input', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => softmax(b.input('x', [])));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Softmax: needs rank ≥ 1 (inputs a [])');
  });

  it('rejects a wrong number of inputs', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const e = sasError(() => b.apply('Softmax', [x, x]));
    expect(e.code).toBe('E_GRAPH');
    expect(e.message).toBe('Softmax: expected 1 inputs, got 2');
  });
});
