import { describe, expect, it } from 'vitest';
import {
  add,
  buildLayer,
  conv1d,
  evaluateReference,
  grad,
  GraphBuilder,
  matMul,
  mul,
  randomNormal,
  reduceSum,
  relu,
  reshape,
  type DType,
  type Graph,
  leafName,
} from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { ENGINES, expectClose, kernelTolerance } from '../test/helpers.js';
import { NDARRAY_FLOAT64_TOLERANCE, NDARRAY_TOLERANCE } from '../tolerance.js';
import { planFusion } from './plan.js';

const count = (g: Graph, kind: string) => [...planFusion(g).entries()].filter(([, r]) => r.kind === kind);
const deferredOps = (g: Graph) =>
  count(g, 'defer')
    .map(([n]) => n.op)
    .sort();

describe('planFusion: epilogues and relu inputs', () => {
  it('folds every bias, residual and relu of a SAS layer into the products', () => {
    const g = buildLayer({ kind: 'sas', batch: 1, seqLen: 5, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true });
    // q and k: two convs (bias; bias + residual) and two linears (same); v: two convs; PEAA: one dense.
    expect(count(g, 'gemm').length).toBe(11);
    // Every Relu of the layer feeds a product only.
    expect(deferredOps(g).filter((op) => op === 'Relu').length).toBe(g.nodes.filter((n) => n.op === 'Relu').length);
    expect(g.nodes.filter((n) => n.op === 'Add').every((n) => planFusion(g).has(n))).toBe(true);
  });

  it('leaves alone biases of other shapes, broadcast residuals and shared products', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [6, 3, 4]);
    const w = b.param('w', [5, 4]);
    const y = matMul(x, w, false, true); // [6,3,5]
    b.output('wideBias', add(y, b.param('b2', [3, 5])));
    const y2 = matMul(x, w, false, true);
    b.output('broadcastResidual', add(y2, b.param('r', [1, 3, 5])));
    const y3 = matMul(x, w, false, true);
    b.output('shared', add(y3, b.param('b', [5])));
    b.output('y3', y3);
    expect(count(b.build(), 'gemm').length).toBe(0);
    expect(deferredOps(b.build())).toEqual([]);
  });
});

/** Products with every epilogue combination, for both engines and dtypes. */
function epilogueGraph(dtype: DType): Graph {
  const b = new GraphBuilder(dtype);
  const x = b.input('x', [2, 7, 3, 9]);
  const w = b.param('w', [11, 9]);
  const bias = b.param('bias', [11]);
  const z0 = add(matMul(relu(x), w, false, true), bias); // relu on A, bias
  b.output('linear', add(z0, add(matMul(relu(z0), b.param('w2', [11, 11]), false, true), reshape(bias, [1, 11])))); // residual + [1,n] bias
  b.output('plainReluProduct', matMul(relu(x), b.param('w3', [9, 4])));
  // Read through relu by the Aᵀ·B kernel (float32 SIMD), by a Relu computed once elsewhere.
  b.output('transposedRelu', matMul(relu(x), b.param('v', [2, 7, 3, 5]), true, false));
  const xc = b.input('xc', [5, 3, 10]);
  const y0 = add(conv1d(xc, b.param('k0', [6, 3, 3]), 1), b.param('c0', [6, 1]));
  b.output('conv', add(y0, add(conv1d(relu(y0), b.param('k1', [6, 6, 3]), 1), b.param('c1', [1, 6, 1]))));
  b.output('convNoPad', add(b.param('c2', [4, 1]), conv1d(relu(xc), b.param('k2', [4, 3, 5]), 0)));
  return b.build();
}

describe.each(ENGINES)('fused products match the reference ($label)', ({ backend }) => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    it(`bias, residual and relu epilogues, ${dtype}`, async () => {
      const g = epilogueGraph(dtype);
      // Roots: z0, the linear residual, y0, the conv residual, the unpadded conv (inner Adds are absorbed).
      expect(count(g, 'gemm').length).toBe(5);
      const feeds = Object.fromEntries(
        g.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map((n, i) => [leafName(n), randomNormal(n.shape, i + 1, dtype)]),
      );
      const [ours, ref] = await Promise.all([createNdarrayBackend(backend).run(g, feeds), evaluateReference(g, feeds)]);
      const tol = kernelTolerance(dtype);
      for (const name of Object.keys(g.outputs)) expectClose(ours[name], ref[name], tol.atol, tol.rtol, name);
    });
  }
});

/** Sums of products over axes of the left operand, fusable or not. */
function reduceGraph(dtype: DType): Graph {
  const b = new GraphBuilder(dtype);
  const x = b.input('x', [2, 5, 3, 8]);
  const w = b.param('w', [6, 8]);
  const bias = b.param('bias', [6]);
  b.output('peaa', mul(reduceSum(add(matMul(x, w, false, true), bias), [2]), 1 / 3)); // PEAA: rows, bias, scale
  b.output('batchKeep', reduceSum(matMul(x, w, false, true), [0, 1], true)); // batch axes, keepDims, no bias
  b.output('scaleFirst', mul(0.25, reduceSum(add(b.param('bias4', [4]), matMul(relu(x), b.param('w2', [8, 4]))), [1, 2]))); // relu x, untransposed w
  b.output('lastAxis', reduceSum(matMul(x, w, false, true), [3])); // not fusable: sums over the output columns
  b.output('batchedW', reduceSum(matMul(x, b.param('wb', [5, 8, 2])), [1])); // not fusable: w has a batch
  return b.build();
}

describe('reduce-then-multiply (PEAA)', () => {
  it('plans the sums over rows and batch axes, not over columns or with a batched w', () => {
    const roles = [...planFusion(reduceGraph('float32')).entries()].filter(([, r]) => r.kind === 'gemm' && r.reduce);
    expect(roles.map(([n]) => n.op).sort()).toEqual(['Mul', 'Mul', 'ReduceSum']);
  });
  for (const { label, backend } of ENGINES) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`matches the reference, ${label}, ${dtype}`, async () => {
        const g = reduceGraph(dtype);
        const feeds = Object.fromEntries(
          g.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map((n, i) => [leafName(n), randomNormal(n.shape, i + 1, dtype)]),
        );
        const [ours, ref] = await Promise.all([createNdarrayBackend(backend).run(g, feeds), evaluateReference(g, feeds)]);
        const tol = kernelTolerance(dtype);
        for (const name of Object.keys(g.outputs)) expectClose(ours[name], ref[name], tol.atol, tol.rtol, name);
      });
    }
  }
});

/** Weight-gradient shaped sums: Σ over the batch of aᵢᵀ·bᵢ, fusable or not. */
function contractionGraph(dtype: DType): Graph {
  const b = new GraphBuilder(dtype);
  const g = b.input('g', [2, 5, 3, 4]);
  const x = b.input('x', [2, 5, 3, 6]);
  b.output('dw', reduceSum(matMul(g, x, true, false), [0, 1])); // [4, 6]
  b.output('dwKeep', reduceSum(matMul(g, x, true, false), [0, 1], true)); // [1, 1, 4, 6]
  b.output('partial', reduceSum(matMul(g, x, true, false), [1])); // not fusable: one batch axis kept
  b.output('broadcast', reduceSum(matMul(b.input('g1', [1, 5, 3, 4]), x, true, false), [0, 1])); // not fusable: g broadcasts
  return b.build();
}

describe('batch contraction (weight gradients)', () => {
  it('plans sums over every shared batch axis of aᵀ·b only', () => {
    const roles = [...planFusion(contractionGraph('float32')).values()].filter((r) => r.kind === 'gemm' && r.contract);
    expect(roles.length).toBe(2);
  });
  for (const { label, backend } of ENGINES) {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      it(`matches the reference, ${label}, ${dtype}`, async () => {
        const g = contractionGraph(dtype);
        const feeds = Object.fromEntries(g.nodes.filter((n) => n.op === 'Input').map((n, i) => [leafName(n), randomNormal(n.shape, i + 1, dtype)]));
        const [ours, ref] = await Promise.all([createNdarrayBackend(backend).run(g, feeds), evaluateReference(g, feeds)]);
        const tol = kernelTolerance(dtype);
        for (const name of Object.keys(g.outputs)) expectClose(ours[name], ref[name], tol.atol, tol.rtol, name);
      });
    }
  }
});

/** A gradient graph of linear and conv layers with relu: each activation is read by the next product, its weight gradient and Relu's VJP. */
function reluGradientGraph(dtype: DType): Graph {
  const b = new GraphBuilder(dtype);
  const x = b.input('x', [4, 6, 9]);
  const h = relu(add(matMul(x, b.param('w1', [9, 12])), b.param('b1', [12]))); // bias then relu
  const h2 = relu(matMul(h, b.param('w2', [12, 12]))); // bare product then relu
  const c = relu(add(conv1d(h2, b.param('k', [6, 6, 3]), 1), b.param('c', [6, 1]))); // conv, bias, relu
  b.output('loss', reduceSum(mul(c, c), [0, 1, 2]));
  return grad(b.build(), 'loss', { wrt: ['x', 'w1', 'b1', 'w2', 'k', 'c'] });
}

describe.each(ENGINES)('relu in a gradient graph: read through, or applied to the product chain ($label)', ({ backend }) => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    it(`stores no activation that only products and the gate read, and matches the reference, ${dtype}`, async () => {
      const g = reluGradientGraph(dtype);
      const plan = planFusion(g);
      const [h, h2, c] = g.nodes.filter((n) => n.op === 'Relu');
      // h and h2 are read by the next product, their weight gradients and the gate: never stored.
      expect(plan.get(h)?.kind).toBe('defer');
      expect(plan.get(h2)?.kind).toBe('defer');
      // c is also read by the loss (c·c): stored, with relu applied to its conv's output (whose pre-activation is not).
      const root = plan.get(c);
      expect(root?.kind === 'gemm' && root.relu).toBe(true);
      expect(plan.get(g.nodes[c.inputs[0]])?.kind).toBe('defer');
      const feeds = Object.fromEntries(
        g.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map((n, i) => [leafName(n), randomNormal(n.shape, i + 7, dtype)]),
      );
      const [ours, ref] = await Promise.all([createNdarrayBackend(backend).run(g, feeds), evaluateReference(g, feeds)]);
      // Gradient tolerances: float32 through three layers and a squared loss drifts by up to 6e-5
      // relative on the SIMD engine (the float32 reference is itself 3e-5 from float64), as it did
      // before these Relus were fused.
      const tol = dtype === 'float32' ? NDARRAY_TOLERANCE : NDARRAY_FLOAT64_TOLERANCE;
      for (const name of Object.keys(g.outputs)) expectClose(ours[name], ref[name], tol.gradAtol, tol.gradRtol, name);
    });
  }
});
