// The char GPT's ops (Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh,
// CrossEntropy) as the export writes them, run in ONNX Runtime against the
// float64 reference: valid inputs against the op's own reference, and ids or
// targets that are not valid against core's decomposition (evaluated by the
// reference), which is what core's kernels promise for computed ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crossEntropy,
  evaluateReference,
  gather,
  getOp,
  grad,
  GraphBuilder,
  layerNorm,
  layerNormGrad,
  lowerGraph,
  OP_NAMES,
  randomNormal,
  reduceSum,
  scatterAdd,
  tanh,
  tensor,
  type Backend,
  type DType,
  type Graph,
  type NodeRef,
  type Tensor,
} from '@sas/core';
import { createOnnxBackend, exportOnnx, hasOnnxMapping } from '@sas/onnx';
import { reference, runOnnxBytes, worstExcess } from '../test/ort.js';
import { readModel } from '../test/read-model.js';

/** Deterministic integers in [0, range) (a small LCG), with repeats. */
function ints(n: number, range: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % range;
  });
}
const normal = (shape: readonly number[], seed: number) => Array.from(randomNormal(shape, seed, 'float64').data);

interface ModelOpCase {
  readonly label: string;
  /** Input name → shape and values. */
  readonly inputs: Readonly<Record<string, { shape: readonly number[]; values: readonly number[] }>>;
  readonly build: (x: Record<string, NodeRef>) => NodeRef;
  /** The ONNX operator the float32 export must contain (the op written natively, not decomposed). */
  readonly onnxOp: string;
}

const W = 8;
const CASES: readonly ModelOpCase[] = [
  {
    label: 'Gather rows of [5,8] at ids [2,4]',
    inputs: { table: { shape: [5, W], values: normal([5, W], 1) }, ids: { shape: [2, 4], values: ints(8, 5, 2) } },
    build: (x) => gather(x.table, x.ids),
    onnxOp: 'Gather',
  },
  {
    label: 'ScatterAdd of [6,8] into 4 rows (repeated ids accumulate)',
    inputs: { ids: { shape: [6], values: [3, 0, 3, 1, 3, 0] }, u: { shape: [6, W], values: normal([6, W], 3) } },
    build: (x) => scatterAdd(x.ids, x.u, 4),
    onnxOp: 'ScatterND',
  },
  {
    label: "ScatterAdd at the model's sizes: 2048 ids into 84 rows",
    inputs: { ids: { shape: [16, 128], values: ints(2048, 84, 5) }, u: { shape: [16, 128, W], values: normal([16, 128, W], 6) } },
    build: (x) => scatterAdd(x.ids, x.u, 84),
    onnxOp: 'ScatterND',
  },
  {
    label: 'LayerNorm of [2,3,8]',
    inputs: { x: { shape: [2, 3, W], values: normal([2, 3, W], 7) }, w: { shape: [W], values: normal([W], 8) }, b: { shape: [W], values: normal([W], 9) } },
    build: (x) => layerNorm(x.x, x.w, x.b),
    onnxOp: 'LayerNormalization',
  },
  {
    // ONNX Runtime's LayerNormalization takes the variance as E[x²] − E[x]²: on these rows alone it is off by ~1e-4 in float32.
    label: 'LayerNorm of rows with mean 100 and spread 0.03',
    inputs: {
      x: { shape: [4, W], values: normal([4, W], 10).map((v) => 100 + 0.03 * v) },
      w: { shape: [W], values: new Array(W).fill(1) },
      b: { shape: [W], values: new Array(W).fill(0) },
    },
    build: (x) => layerNorm(x.x, x.w, x.b),
    onnxOp: 'LayerNormalization',
  },
  {
    label: 'LayerNormGrad wrt x, [2,3,8]',
    inputs: {
      x: { shape: [2, 3, W], values: normal([2, 3, W], 11) },
      w: { shape: [W], values: normal([W], 12) },
      g: { shape: [2, 3, W], values: normal([2, 3, W], 13) },
    },
    build: (x) => layerNormGrad(x.x, x.w, x.g, 1e-5, 'x'),
    onnxOp: 'LayerNormalization',
  },
  {
    label: 'LayerNormGrad wrt weight, [2,3,8]',
    inputs: {
      x: { shape: [2, 3, W], values: normal([2, 3, W], 14) },
      w: { shape: [W], values: normal([W], 15) },
      g: { shape: [2, 3, W], values: normal([2, 3, W], 16) },
    },
    build: (x) => layerNormGrad(x.x, x.w, x.g, 1e-5, 'weight'),
    onnxOp: 'LayerNormalization',
  },
  {
    label: 'LayerNormGrad wrt weight of a rank-1 x (no leading axes to sum)',
    inputs: { x: { shape: [W], values: normal([W], 17) }, w: { shape: [W], values: normal([W], 18) }, g: { shape: [W], values: normal([W], 19) } },
    build: (x) => layerNormGrad(x.x, x.w, x.g, 1e-3, 'weight'),
    onnxOp: 'LayerNormalization',
  },
  {
    label: 'Tanh of [3,5], saturating values included',
    inputs: { x: { shape: [3, 5], values: [...normal([3, 4], 20), -30, 30, 1e-8] } },
    build: (x) => tanh(x.x),
    onnxOp: 'Tanh',
  },
  {
    label: 'CrossEntropy of [2,3,5] logits, two targets ignored',
    inputs: { logits: { shape: [2, 3, 5], values: normal([2, 3, 5], 21) }, t: { shape: [2, 3], values: [4, -100, 0, 2, -100, 1] } },
    build: (x) => crossEntropy(x.logits, x.t),
    onnxOp: 'GatherElements',
  },
  {
    label: 'CrossEntropy of large logits (max-shifted log-sum-exp)',
    inputs: { logits: { shape: [2, 4], values: [1000, 1001, 999, 998, -1000, -1003, -999, -1001] }, t: { shape: [2], values: [1, 3] } },
    build: (x) => crossEntropy(x.logits, x.t),
    onnxOp: 'GatherElements',
  },
];

function caseGraph(c: ModelOpCase, dtype: DType): { graph: Graph; feeds: Record<string, Tensor> } {
  const b = new GraphBuilder(dtype);
  const refs = Object.fromEntries(Object.entries(c.inputs).map(([name, { shape }]) => [name, b.input(name, shape)]));
  b.output('y', c.build(refs));
  const feeds = Object.fromEntries(Object.entries(c.inputs).map(([name, { shape, values }]) => [name, tensor(values, shape, dtype)]));
  return { graph: b.build(), feeds };
}

/** Core's decomposition of every composite, evaluated by the reference: the oracle for ids the op's own reference refuses. */
function decomposed(graph: Graph, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  return evaluateReference(
    lowerGraph(graph, (op) => (OP_NAMES as readonly string[]).includes(op), 'decomposition'),
    feeds,
    { nonFinite: 'allow' },
  );
}

const TOLERANCE = { float32: { atol: 1e-5, rtol: 1e-5 }, float64: { atol: 1e-12, rtol: 1e-12 } } as const;

describe("the model's ops exported to ONNX and run in ONNX Runtime", () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createOnnxBackend();
  });
  afterAll(async () => {
    await backend.dispose();
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it.each(CASES.map((c) => [c.label, c] as const))(`${dtype}: %s matches the reference`, async (_label, c) => {
      const { graph, feeds } = caseGraph(c, dtype);
      const [actual, expected] = await Promise.all([backend.run(graph, feeds), reference(graph, feeds)]);
      expect(actual.y.shape).toEqual(expected.y.shape);
      const { atol, rtol } = TOLERANCE[dtype];
      expect(worstExcess(actual.y.data, expected.y.data, atol, rtol), `${Array.from(actual.y.data)} vs ${Array.from(expected.y.data)}`).toBeLessThanOrEqual(0);
    });
  }

  it.each(CASES.map((c) => [c.label, c] as const))('float32: %s is written with its own ONNX operator, no one-hot MatMul', (_label, c) => {
    const ops = readModel(exportOnnx(caseGraph(c, 'float32').graph)).nodes.map((n) => n.opType);
    expect(ops).toContain(c.onnxOp);
    expect(ops).not.toContain('MatMul');
  });

  it('float64 layer norms go through the decomposition: LayerNormalization would round eps to float32', () => {
    expect(hasOnnxMapping('LayerNorm', 'float32')).toBe(true);
    expect(hasOnnxMapping('LayerNorm', 'float64')).toBe(false);
    expect(hasOnnxMapping('LayerNormGrad', 'float64')).toBe(false);
    const ln = CASES.find((c) => c.label.startsWith('LayerNorm of [2,3,8]'))!;
    const ops = readModel(exportOnnx(caseGraph(ln, 'float64').graph)).nodes.map((n) => n.opType);
    expect(ops).not.toContain('LayerNormalization');
    expect(ops).toEqual(expect.arrayContaining(['ReduceSum', 'Sqrt', 'Div']));
  });

  it('a layer norm and both its gradients share one centring and one normalisation for the backward pass', () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [3, W]);
    b.output('loss', reduceSum(layerNorm(x, b.param('w', [W]), b.param('b', [W])), [0, 1]));
    const ops = readModel(exportOnnx(grad(b.build(), 'loss', { wrt: ['x', 'w'] }), { outputs: ['grad.x', 'grad.w'] })).nodes.map((n) => n.opType);
    expect(ops.filter((op) => op === 'LayerNormalization')).toHaveLength(1); // the forward output is not needed for the gradients
    expect(ops.filter((op) => op === 'Sub').length).toBeGreaterThanOrEqual(1);
    expect(ops.filter((op) => op === 'ReduceMean')).toHaveLength(3); // the centring once, then mean(ĝ) and mean(ĝ·x̂)
  });
});

describe('computed ids and targets that are not valid: what core kernels do, never an out-of-bounds access', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createOnnxBackend();
  });
  afterAll(async () => {
    await backend.dispose();
  });

  // Inputs without an index domain stand for computed ids: nothing checks them before the run.
  const badIds = [0, 4, -1, 5, 2.5, NaN, 1e9, -0, Infinity, 3];

  for (const dtype of ['float32', 'float64'] as const) {
    it(`${dtype}: Gather reads a zero row for ids outside [0, V) or not integers, as the decomposition does`, async () => {
      const b = new GraphBuilder(dtype);
      b.output('y', gather(b.input('table', [5, 3]), b.input('ids', [badIds.length])));
      const graph = b.build();
      const feeds = { table: tensor(normal([5, 3], 30), [5, 3], dtype), ids: tensor(badIds, [badIds.length], dtype) };
      const [actual, expected] = await Promise.all([backend.run(graph, feeds, { nonFinite: 'allow' }), decomposed(graph, feeds)]);
      expect(worstExcess(actual.y.data, expected.y.data, 0, 0)).toBeLessThanOrEqual(0);
      expect(Array.from(actual.y.data.slice(3 * 2, 3 * 7)).every((v) => v === 0)).toBe(true); // ids −1, 5, 2.5, NaN, 1e9
    });

    it(`${dtype}: ScatterAdd drops the updates of such ids, as the decomposition does`, async () => {
      const b = new GraphBuilder(dtype);
      b.output('y', scatterAdd(b.input('ids', [badIds.length]), b.input('u', [badIds.length, 3]), 5));
      const graph = b.build();
      const feeds = { ids: tensor(badIds, [badIds.length], dtype), u: tensor(normal([badIds.length, 3], 31), [badIds.length, 3], dtype) };
      const [actual, expected] = await Promise.all([backend.run(graph, feeds, { nonFinite: 'allow' }), decomposed(graph, feeds)]);
      expect(worstExcess(actual.y.data, expected.y.data, TOLERANCE[dtype].atol, TOLERANCE[dtype].rtol)).toBeLessThanOrEqual(0);
    });

    it(`${dtype}: CrossEntropy counts a target that is neither valid nor ignored with a zero pick, as the decomposition does`, async () => {
      const targets = [1, -100, -1, 7, 2.5, NaN, 0];
      const b = new GraphBuilder(dtype);
      b.output('y', crossEntropy(b.input('logits', [targets.length, 4]), b.input('t', [targets.length])));
      const graph = b.build();
      const feeds = { logits: tensor(normal([targets.length, 4], 32), [targets.length, 4], dtype), t: tensor(targets, [targets.length], dtype) };
      const [actual, expected] = await Promise.all([backend.run(graph, feeds, { nonFinite: 'allow' }), decomposed(graph, feeds)]);
      expect(worstExcess(actual.y.data, expected.y.data, TOLERANCE[dtype].atol, TOLERANCE[dtype].rtol)).toBeLessThanOrEqual(0);
    });

    it(`${dtype}: CrossEntropy with every target ignored is NaN (0/0), as in core`, async () => {
      const b = new GraphBuilder(dtype);
      b.output('y', crossEntropy(b.input('logits', [2, 4]), b.input('t', [2])));
      const graph = b.build();
      const feeds = { logits: tensor(normal([2, 4], 33), [2, 4], dtype), t: tensor([-100, -100], [2], dtype) };
      const [actual, expected] = await Promise.all([backend.run(graph, feeds), decomposed(graph, feeds)]);
      expect(Number.isNaN(expected.y.data[0])).toBe(true);
      expect(Number.isNaN(actual.y.data[0])).toBe(true);
    });

    it(`${dtype}: an ignored row's logits never reach the loss, even non-finite ones (as CrossEntropy's float64 definition skips the row)`, async () => {
      const b = new GraphBuilder(dtype);
      b.output('y', crossEntropy(b.input('logits', [3, 4]), b.input('t', [3])));
      const graph = b.build();
      const logits = [...normal([4], 34), NaN, Infinity, -Infinity, 1, ...normal([4], 35)];
      const feeds = { logits: tensor(logits, [3, 4], dtype), t: tensor([2, -100, 0], [3], dtype) };
      const actual = await backend.run(graph, feeds, { nonFinite: 'allow' });
      // The op's own evaluate, not the decomposition (whose mask multiplies NaN by 0).
      const asFed = (t: Tensor) => ({ shape: t.shape, data: Float64Array.from(t.data) });
      const expected = getOp('CrossEntropy').evaluate([asFed(feeds.logits), asFed(feeds.t)], { ignoreIndex: -100 }, []);
      expect(Number.isFinite(expected[0])).toBe(true);
      expect(worstExcess(actual.y.data, expected, TOLERANCE[dtype].atol, TOLERANCE[dtype].rtol)).toBeLessThanOrEqual(0);
    });
  }

  it('an exported model run directly in ONNX Runtime (feeds unchecked) reads zero rows for bad ids instead of failing or wrapping around', async () => {
    const b = new GraphBuilder('float32');
    b.output('y', gather(b.param('table', [4, 2]), b.input('ids', [4], { indexRange: 4 })));
    const table = tensor([1, 2, 3, 4, 5, 6, 7, 8], [4, 2], 'float32');
    const bytes = exportOnnx(b.build(), { weights: { table } });
    const { y } = await runOnnxBytes(bytes, { ids: tensor([3, -1, 4, 1], [4]) }, 'float32');
    // −1 would be the last row and 4 an ONNX Runtime error with a bare Gather.
    expect(Array.from(y.data)).toEqual([7, 8, 0, 0, 0, 0, 3, 4]);
  });
});
