import { describe, expect, it } from 'vitest';
import {
  add,
  broadcastTo,
  GraphBuilder,
  causalMask,
  conv1d,
  div,
  equal,
  exp,
  flip,
  grad,
  log,
  matMul,
  mul,
  neg,
  numericalGradientCheck,
  OP_NAMES,
  type PrimitiveName,
  reduceMax,
  reduceSum,
  relu,
  reshape,
  seededRandom,
  softmax,
  sqrt,
  step,
  sub,
  transpose,
  type NodeRef,
  type Tensor,
} from '@sas/core';

/** Uniform values in [lo, hi), optionally kept at least `gap` away from 0 (so Relu/Step kinks are not straddled). */
function uniform(shape: number[], rand: () => number, lo = -1, hi = 1, gap = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = lo + (hi - lo) * rand();
    if (gap > 0 && Math.abs(v) < gap) v = v < 0 ? -gap - rand() * 0.1 : gap + rand() * 0.1;
    data[i] = v;
  }
  return { dtype: 'float64', shape, data };
}

const dim = (rand: () => number, max = 4) => 1 + Math.floor(rand() * max);

interface Case {
  inputs: Record<string, Tensor>;
  build: (x: NodeRef[]) => NodeRef;
}

/** A random case generator per op: shapes and values drawn from the seed (typed: a primitive without a case does not type-check). */
const CASES: Record<PrimitiveName, (rand: () => number) => Case> = {
  Add: (r) => {
    const [m, n] = [dim(r), dim(r)];
    return { inputs: { a: uniform([m, n], r), b: uniform([n], r) }, build: ([a, b]) => add(a, b) };
  },
  Sub: (r) => {
    const [m, n] = [dim(r), dim(r)];
    return { inputs: { a: uniform([m, 1], r), b: uniform([m, n], r) }, build: ([a, b]) => sub(a, b) };
  },
  Mul: (r) => {
    const [m, n] = [dim(r), dim(r)];
    return { inputs: { a: uniform([1, m, n], r), b: uniform([2, m, 1], r) }, build: ([a, b]) => mul(a, b) };
  },
  Div: (r) => {
    const n = dim(r);
    return { inputs: { a: uniform([n, 3], r), b: uniform([3], r, 0.5, 2) }, build: ([a, b]) => div(a, b) };
  },
  Equal: (r) => {
    const n = dim(r);
    return { inputs: { a: uniform([n], r), b: uniform([n], r) }, build: ([a, b]) => add(mul(equal(a, b), a), b) };
  },
  Neg: (r) => ({ inputs: { x: uniform([dim(r), dim(r)], r) }, build: ([x]) => neg(x) }),
  Exp: (r) => ({ inputs: { x: uniform([dim(r), dim(r)], r) }, build: ([x]) => exp(x) }),
  Log: (r) => ({ inputs: { x: uniform([dim(r), dim(r)], r, 0.2, 3) }, build: ([x]) => log(x) }),
  Sqrt: (r) => ({ inputs: { x: uniform([dim(r), dim(r)], r, 0.2, 3) }, build: ([x]) => sqrt(x) }),
  Relu: (r) => ({ inputs: { x: uniform([dim(r), dim(r)], r, -1, 1, 0.05) }, build: ([x]) => relu(x) }),
  Step: (r) => ({ inputs: { x: uniform([dim(r), dim(r)], r, -1, 1, 0.05) }, build: ([x]) => mul(step(x), x) }),
  MatMul: (r) => {
    const [m, k, n] = [dim(r), dim(r), dim(r)];
    const ta = r() < 0.5;
    const tb = r() < 0.5;
    return { inputs: { a: uniform([2, ta ? k : m, ta ? m : k], r), b: uniform([tb ? n : k, tb ? k : n], r) }, build: ([a, b]) => matMul(a, b, ta, tb) };
  },
  Conv1d: (r) => {
    const k = [1, 3, 5][Math.floor(r() * 3)];
    const pad = Math.floor(r() * (k + 3)); // pad ≥ k included (as in PyTorch)
    const l = k + dim(r);
    return { inputs: { x: uniform([dim(r, 2), dim(r, 3), l], r), w: uniform([dim(r, 3), 0, k], r) }, build: ([x, w]) => conv1d(x, w, pad) };
  },
  ReduceSum: (r) => {
    const [axes, keep] = [r() < 0.5 ? [1] : [0, -1], r() < 0.5];
    return { inputs: { x: uniform([dim(r), dim(r), dim(r)], r) }, build: ([x]) => reduceSum(x, axes, keep) };
  },
  ReduceMax: (r) => {
    const keep = r() < 0.5;
    return { inputs: { x: uniform([dim(r), dim(r), dim(r)], r) }, build: ([x]) => reduceMax(x, [-1], keep) };
  },
  Softmax: (r) => ({ inputs: { x: uniform([dim(r), dim(r) + 1], r, -2, 2) }, build: ([x]) => softmax(x) }),
  CausalMask: (r) => {
    const t = dim(r) + 1;
    return { inputs: { x: uniform([2, t, t + Math.floor(r() * 2)], r) }, build: ([x]) => add(softmax(causalMask(x, 'neg-inf')), causalMask(x, 'zero')) };
  },
  Reshape: (r) => ({ inputs: { x: uniform([2, 3, dim(r)], r) }, build: ([x]) => reshape(x, [3, x.shape[2], 2]) }),
  Transpose: (r) => ({ inputs: { x: uniform([dim(r), dim(r), dim(r)], r) }, build: ([x]) => transpose(x, [2, 0, 1]) }),
  BroadcastTo: (r) => {
    const n = dim(r);
    return { inputs: { x: uniform([n, 1], r) }, build: ([x]) => broadcastTo(x, [2, n, 3]) };
  },
  Flip: (r) => ({ inputs: { x: uniform([dim(r), dim(r), dim(r)], r) }, build: ([x]) => flip(x, 1) }),
};

describe('every VJP against float64 central differences', () => {
  it('covers every primitive op', () => {
    expect(Object.keys(CASES).sort()).toEqual([...OP_NAMES].sort());
  });
  for (const op of OP_NAMES) {
    it(op, async () => {
      for (const seed of [1, 2, 3, 4, 5]) {
        const rand = seededRandom(seed * 7919 + op.length);
        const c = CASES[op](rand);
        if (op === 'Conv1d') {
          const [, ch] = c.inputs.x.shape;
          const w = c.inputs.w;
          c.inputs.w = uniform([w.shape[0], ch, w.shape[2]], rand); // channels must match x
        }
        const b = new GraphBuilder('float64');
        const outShape = c.build(Object.entries(c.inputs).map(([n, t]) => b.input(n, t.shape))).shape;
        const cotangent = uniform([...outShape], rand);
        const results = await numericalGradientCheck(c.build, c.inputs, cotangent);
        for (const res of results) expect(res.maxScaledError, `${op} seed ${seed} input ${res.input}`).toBeLessThan(1e-6);
      }
    });
  }
});

describe('MatMul VJP with a broadcast cotangent (a sum over groups, as PEAA)', () => {
  for (const transposeB of [false, true]) {
    it(`folds the broadcast into 1/G of the rows and still passes the numerical check (transposeB=${transposeB})`, async () => {
      const rand = seededRandom(transposeB ? 17 : 19);
      const inputs = { a: uniform([2, 3, 2, 4], rand), w: uniform(transposeB ? [5, 4] : [4, 5], rand) };
      const build = ([a, w]: NodeRef[]) => reduceSum(matMul(a, w, false, transposeB), [2], false);
      const results = await numericalGradientCheck(build, inputs, uniform([2, 3, 5], rand));
      for (const r of results) expect(r.maxScaledError, r.input).toBeLessThan(1e-6);
      // The products of the gradient run on the 6 summed rows, not the 12 broadcast ones.
      const b = new GraphBuilder('float64');
      const [a, w] = [b.input('a', [2, 3, 2, 4]), b.input('w', inputs.w.shape)];
      b.output('loss', reduceSum(build([a, w]), [0, 1, 2]));
      const g = grad(b.build(), 'loss', { wrt: ['a', 'w'] });
      const products = g.nodes.filter((n) => n.op === 'MatMul').slice(1);
      for (const n of products) expect(n.inputs.map((i) => g.nodes[i].shape.slice(0, -1).reduce((x, y) => x * y, 1))).not.toContain(12);
    });
  }
});
