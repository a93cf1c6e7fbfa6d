import { describe, expect, it } from 'vitest';
import { GraphBuilder, conv1d, evaluateReference, numericalGradientCheck, tensor, type NodeRef, type Tensor } from '@sas/core';
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

describe('Conv1d', () => {
  it('mixes channels with a size-1 kernel (k=1, pad 0)', async () => {
    // x = [[1,2,3],[4,5,6]] (2 channels), w = [[[10],[1]]]: y[j] = 10·x₀[j] + x₁[j]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4, 5, 6],
          [1, 2, 3],
        ],
        w: [
          [10, 1],
          [1, 2, 1],
        ],
      },
      ({ x, w }) => conv1d(x, w, 0),
    );
    expect(y.shape).toEqual([1, 1, 3]);
    expect(Array.from(y.data)).toEqual([14, 25, 36]);
  });

  it('cross-correlates (no kernel flip) with k=3, pad 0', async () => {
    // y[j] = 1·x[j] + 0·x[j+1] − 1·x[j+2] on x = [1,2,3,4]: [1−3, 2−4]
    // (a true convolution would flip w and give [2, 2])
    const y = await run(
      {
        x: [
          [1, 2, 3, 4],
          [1, 1, 4],
        ],
        w: [
          [1, 0, -1],
          [1, 1, 3],
        ],
      },
      ({ x, w }) => conv1d(x, w, 0),
    );
    expect(y.shape).toEqual([1, 1, 2]);
    expect(Array.from(y.data)).toEqual([-2, -2]);
  });

  it('zero-pads both sides with k=3, pad 1 (same length)', async () => {
    // padded x = [0,1,2,3,0], w = [1,10,100]
    // y[0] = 0·1 + 1·10 + 2·100 = 210; y[1] = 1 + 20 + 300 = 321; y[2] = 2 + 30 + 0 = 32
    const y = await run(
      {
        x: [
          [1, 2, 3],
          [1, 1, 3],
        ],
        w: [
          [1, 10, 100],
          [1, 1, 3],
        ],
      },
      ({ x, w }) => conv1d(x, w, 1),
    );
    expect(y.shape).toEqual([1, 1, 3]);
    expect(Array.from(y.data)).toEqual([210, 321, 32]);
  });

  it('grows the output with k=2, pad 1 (L + 2·pad − k + 1 = 3)', async () => {
    // padded x = [0,1,2,0], w = [1,10]: y = [0 + 10, 1 + 20, 2 + 0]
    const y = await run(
      {
        x: [
          [1, 2],
          [1, 1, 2],
        ],
        w: [
          [1, 10],
          [1, 1, 2],
        ],
      },
      ({ x, w }) => conv1d(x, w, 1),
    );
    expect(y.shape).toEqual([1, 1, 3]);
    expect(Array.from(y.data)).toEqual([10, 21, 2]);
  });

  it('handles a batch, several input channels and several output channels', async () => {
    // x [2,2,3]: n0 = {c0 [1,2,3], c1 [0,1,0]}, n1 = {c0 [1,1,1], c1 [2,0,−1]}
    const x = [1, 2, 3, 0, 1, 0, 1, 1, 1, 2, 0, -1];
    // w [3,2,2]: o0 = c0[j] + c0[j+1]; o1 = c1[j] − c1[j+1]; o2 = c0[j] + c1[j+1]
    const w = [1, 1, 0, 0, 0, 0, 1, -1, 1, 0, 0, 1];
    const y = await run({ x: [x, [2, 2, 3]], w: [w, [3, 2, 2]] }, (v) => conv1d(v.x, v.w, 0));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual([
      // n0: o0 [1+2, 2+3], o1 [0−1, 1−0], o2 [1+1, 2+0]
      3, 5, -1, 1, 2, 2,
      // n1: o0 [1+1, 1+1], o1 [2−0, 0−(−1)], o2 [1+0, 1+(−1)]
      2, 2, 2, 1, 1, 0,
    ]);
  });

  it('pads every channel with k=3, pad 1 and sums over channels', async () => {
    // x [1,2,2]: c0 = [1,2], c1 = [3,4]; w [1,2,3]: c0 = [1,1,1] (window sum), c1 = [0,1,0] (centre)
    // padded c0 = [0,1,2,0]: sums [0+1+2, 1+2+0] = [3,3]; centre of c1 = [3,4]
    const y = await run(
      {
        x: [
          [1, 2, 3, 4],
          [1, 2, 2],
        ],
        w: [
          [1, 1, 1, 0, 1, 0],
          [1, 2, 3],
        ],
      },
      ({ x, w }) => conv1d(x, w, 1),
    );
    expect(y.shape).toEqual([1, 1, 2]);
    expect(Array.from(y.data)).toEqual([6, 7]);
  });
});

describe('Conv1d errors', () => {
  it('rejects x or w of rank ≠ 3', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => conv1d(b.input('x', [2, 3]), b.input('w', [1, 2, 1]), 0));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Conv1d: x must be [N,C,L] and w [O,C,k] (inputs a [2,3], b [1,2,1])');
    const e2 = sasError(() => conv1d(b.input('x2', [1, 2, 3]), b.input('w2', [2, 1]), 0));
    expect(e2.code).toBe('E_SHAPE');
    expect(e2.message).toContain('(inputs a [1,2,3], b [2,1])');
  });

  it('rejects a channel mismatch', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => conv1d(b.input('x', [1, 2, 3]), b.input('w', [1, 3, 1]), 0));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Conv1d: channel counts differ: x has 2, w has 3 (inputs a [1,2,3], b [1,3,1])');
  });

  it('accepts pad ≥ k as PyTorch does: zeros beyond the kernel reach', async () => {
    // padded x = [0,0,1,2,0,0] (pad 2), w = [10] (k 1): y = [0, 0, 10, 20, 0, 0]
    const y = await run(
      {
        x: [
          [1, 2],
          [1, 1, 2],
        ],
        w: [[10], [1, 1, 1]],
      },
      ({ x, w }) => conv1d(x, w, 2),
    );
    expect(y.shape).toEqual([1, 1, 6]);
    expect(Array.from(y.data)).toEqual([0, 0, 10, 20, 0, 0]);
    // padded x = [0,0,0,5,0,0,0] (pad 3), w = [1,2,3] (k 3): y[j] = Σ_t w[t]·x[j+t] = [0, 15, 10, 5, 0]
    const y3 = await run(
      {
        x: [[5], [1, 1, 1]],
        w: [
          [1, 2, 3],
          [1, 1, 3],
        ],
      },
      ({ x, w }) => conv1d(x, w, 3),
    );
    expect(Array.from(y3.data)).toEqual([0, 15, 10, 5, 0]);
  });

  it('has gradients at pad ≥ k that agree with float64 central differences (x and w)', async () => {
    for (const [l, k, pad] of [
      [2, 1, 1],
      [3, 2, 3],
      [1, 1, 2],
      [4, 3, 5],
    ]) {
      const x = tensor(
        Array.from({ length: 2 * 3 * l }, (_, i) => Math.sin(i + 1)),
        [2, 3, l],
      );
      const w = tensor(
        Array.from({ length: 2 * 3 * k }, (_, i) => Math.cos(i + 2)),
        [2, 3, k],
      );
      const outLen = l + 2 * pad - k + 1;
      const cotangent = tensor(
        Array.from({ length: 2 * 2 * outLen }, (_, i) => Math.sin(3 * i + 0.5)),
        [2, 2, outLen],
      );
      const results = await numericalGradientCheck(([a, b]) => conv1d(a, b, pad), { x, w }, cotangent);
      for (const r of results) expect(r.maxScaledError, `L=${l} k=${k} pad=${pad} d/d${r.input}`).toBeLessThan(1e-7);
    }
  });

  it('rejects a kernel longer than the padded input', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => conv1d(b.input('x', [1, 1, 2]), b.input('w', [1, 1, 5]), 1));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toBe('Conv1d: kernel 5 is longer than the padded length 4 (inputs a [1,1,2], b [1,1,5])');
  });

  it('rejects a negative or fractional pad as an attribute error', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [1, 1, 4]);
    const w = b.input('w', [1, 1, 3]);
    const e = sasError(() => conv1d(x, w, -1));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Conv1d: pad must be a non-negative integer, got -1');
    expect(sasError(() => conv1d(x, w, 0.5)).code).toBe('E_ATTR');
  });
});
