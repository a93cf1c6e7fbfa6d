import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  broadcastTo,
  causalMask,
  COMPOSITE_OP_NAMES,
  conv1d,
  div,
  equal,
  exp,
  flip,
  GraphBuilder,
  log,
  matMul,
  mul,
  neg,
  OP_NAMES,
  randomNormal,
  reduceMax,
  reduceSum,
  relu,
  reshape,
  softmax,
  sqrt,
  step,
  sub,
  tensor,
  transpose,
  type Backend,
  type DType,
  type NodeRef,
  type Tensor,
} from '@sas/core';
import { createOnnxBackend, exportOnnx, ONNX_EXPORTERS } from '@sas/onnx';
import { reference, runOnnxBytes, worstExcess } from '../test/ort.js';

/** The char GPT's composites, which the export writes as ONNX operators of their own (model-ops.test.ts checks them). */
const MODEL_OPS = ['Gather', 'ScatterAdd', 'LayerNorm', 'LayerNormGrad', 'Tanh', 'CrossEntropy'] as const;

/** One op application on random inputs: input shapes, how to draw them, and the op. */
interface OpCase {
  readonly op: string;
  readonly label: string;
  readonly shapes: readonly (readonly number[])[];
  readonly build: (...xs: NodeRef[]) => NodeRef;
  /** Turns the standard normal draws into the op's domain (positive for Log, ...). */
  readonly draw?: (values: Float64Array, index: number) => Float64Array;
}

const positive = (v: Float64Array) => v.map((x) => Math.abs(x) + 0.1);
const awayFromZero = (v: Float64Array) => v.map((x) => (x < 0 ? x - 0.5 : x + 0.5));
// Round to a coarse grid so that Equal sees both equal and unequal pairs.
const coarse = (v: Float64Array) => v.map((x) => Math.round(x));

const CASES: readonly OpCase[] = [
  {
    op: 'Add',
    label: 'broadcast [2,3,4] + [3,1]',
    shapes: [
      [2, 3, 4],
      [3, 1],
    ],
    build: (a, b) => add(a, b),
  },
  { op: 'Sub', label: 'broadcast [4] − [2,3,4]', shapes: [[4], [2, 3, 4]], build: (a, b) => sub(a, b) },
  {
    op: 'Mul',
    label: 'broadcast [2,1,4] · [3,1]',
    shapes: [
      [2, 1, 4],
      [3, 1],
    ],
    build: (a, b) => mul(a, b),
  },
  { op: 'Div', label: 'broadcast [2,3] / [3]', shapes: [[2, 3], [3]], build: (a, b) => div(a, b), draw: (v, i) => (i === 1 ? awayFromZero(v) : v) },
  { op: 'Equal', label: 'on a coarse grid, broadcast [4,5] == [5]', shapes: [[4, 5], [5]], build: (a, b) => equal(a, b), draw: coarse },
  { op: 'Neg', label: '[3,5]', shapes: [[3, 5]], build: (x) => neg(x) },
  { op: 'Exp', label: '[3,5]', shapes: [[3, 5]], build: (x) => exp(x) },
  { op: 'Log', label: 'positive [3,5]', shapes: [[3, 5]], build: (x) => log(x), draw: positive },
  { op: 'Sqrt', label: 'positive [3,5]', shapes: [[3, 5]], build: (x) => sqrt(x), draw: positive },
  { op: 'Relu', label: '[3,5]', shapes: [[3, 5]], build: (x) => relu(x) },
  { op: 'Step', label: '[3,5]', shapes: [[3, 5]], build: (x) => step(x) },
  {
    op: 'MatMul',
    label: 'a·b with batch broadcast [2,1,3,4]·[3,4,5]',
    shapes: [
      [2, 1, 3, 4],
      [3, 4, 5],
    ],
    build: (a, b) => matMul(a, b),
  },
  {
    op: 'MatMul',
    label: 'a·bᵀ [2,3,4]·[5,4]',
    shapes: [
      [2, 3, 4],
      [5, 4],
    ],
    build: (a, b) => matMul(a, b, false, true),
  },
  {
    op: 'MatMul',
    label: 'aᵀ·b [4,3]·[2,4,5]',
    shapes: [
      [4, 3],
      [2, 4, 5],
    ],
    build: (a, b) => matMul(a, b, true, false),
  },
  {
    op: 'MatMul',
    label: 'aᵀ·bᵀ [2,4,3]·[2,5,4]',
    shapes: [
      [2, 4, 3],
      [2, 5, 4],
    ],
    build: (a, b) => matMul(a, b, true, true),
  },
  {
    op: 'Conv1d',
    label: 'k=3 pad 1',
    shapes: [
      [2, 3, 7],
      [4, 3, 3],
    ],
    build: (x, w) => conv1d(x, w, 1),
  },
  {
    op: 'Conv1d',
    label: 'k=3 pad 0',
    shapes: [
      [2, 3, 7],
      [4, 3, 3],
    ],
    build: (x, w) => conv1d(x, w, 0),
  },
  {
    op: 'Conv1d',
    label: 'k=5 pad 2',
    shapes: [
      [1, 2, 6],
      [3, 2, 5],
    ],
    build: (x, w) => conv1d(x, w, 2),
  },
  {
    op: 'Conv1d',
    label: 'k=1',
    shapes: [
      [3, 2, 4],
      [5, 2, 1],
    ],
    build: (x, w) => conv1d(x, w, 0),
  },
  { op: 'ReduceSum', label: 'axes [1] keepDims', shapes: [[2, 3, 4]], build: (x) => reduceSum(x, [1], true) },
  { op: 'ReduceSum', label: 'axes [0,2]', shapes: [[2, 3, 4]], build: (x) => reduceSum(x, [0, 2]) },
  { op: 'ReduceSum', label: 'no axes (identity)', shapes: [[2, 3]], build: (x) => reduceSum(x, []) },
  { op: 'ReduceMax', label: 'axes [-1] keepDims', shapes: [[2, 3, 4]], build: (x) => reduceMax(x, [-1], true) },
  { op: 'ReduceMax', label: 'all axes', shapes: [[2, 3, 4]], build: (x) => reduceMax(x, [0, 1, 2]) },
  { op: 'Softmax', label: 'last axis of [2,3,5]', shapes: [[2, 3, 5]], build: (x) => softmax(x) },
  { op: 'CausalMask', label: 'neg-inf, square [2,4,4]', shapes: [[2, 4, 4]], build: (x) => causalMask(x, 'neg-inf') },
  { op: 'CausalMask', label: 'zero, Tq < Tk [3,5]', shapes: [[3, 5]], build: (x) => causalMask(x, 'zero') },
  { op: 'CausalMask', label: 'neg-inf, Tq > Tk [2,5,3]', shapes: [[2, 5, 3]], build: (x) => causalMask(x, 'neg-inf') },
  { op: 'Reshape', label: '[2,3,4] → [6,4]', shapes: [[2, 3, 4]], build: (x) => reshape(x, [6, 4]) },
  { op: 'Transpose', label: 'perm [2,0,1]', shapes: [[2, 3, 4]], build: (x) => transpose(x, [2, 0, 1]) },
  { op: 'BroadcastTo', label: '[3,1] → [2,3,4]', shapes: [[3, 1]], build: (x) => broadcastTo(x, [2, 3, 4]) },
  { op: 'Flip', label: 'middle axis of [2,3,4]', shapes: [[2, 3, 4]], build: (x) => flip(x, 1) },
  { op: 'Flip', label: 'axis -1 of [5]', shapes: [[5]], build: (x) => flip(x, -1) },
];

function caseGraph(c: OpCase, dtype: DType) {
  const b = new GraphBuilder(dtype);
  const inputs = c.shapes.map((s, i) => b.input(`x${i}`, s));
  b.output('y', c.build(...inputs));
  const feeds: Record<string, Tensor> = {};
  c.shapes.forEach((s, i) => {
    const draw = randomNormal(s, 100 + i, 'float64').data as Float64Array;
    feeds[`x${i}`] = tensor(c.draw ? c.draw(draw, i) : draw, s, dtype);
  });
  return { graph: b.build(), feeds };
}

// float32: ONNX Runtime's kernels vs the float64 reference rounded once; a few ulps apart.
// float64: the same operations in double; sums may be reordered, nothing more.
const TOLERANCE = { float32: { atol: 1e-5, rtol: 1e-5 }, float64: { atol: 1e-12, rtol: 1e-12 } } as const;

describe('every core op exported to ONNX and run in ONNX Runtime matches the reference', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await createOnnxBackend();
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it('has an ONNX mapping for every primitive op of the core op table, and a case here for each', () => {
    // The model's composites are mapped too (model-ops.test.ts); the attention composites are not.
    expect(Object.keys(ONNX_EXPORTERS).sort()).toEqual([...OP_NAMES, ...MODEL_OPS].sort());
    expect(COMPOSITE_OP_NAMES.filter((op) => !(MODEL_OPS as readonly string[]).includes(op)).sort()).toEqual(['Attention', 'AttentionGrad']);
    expect([...new Set(CASES.map((c) => c.op))].sort()).toEqual([...OP_NAMES].sort());
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it.each(CASES.map((c) => [`${c.op} ${c.label}`, c] as const))(`${dtype}: %s`, async (_name, c) => {
      const { graph, feeds } = caseGraph(c, dtype);
      const [actual, expected] = await Promise.all([backend.run(graph, feeds), reference(graph, feeds)]);
      expect(actual.y.shape).toEqual(expected.y.shape);
      expect(actual.y.data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
      const { atol, rtol } = TOLERANCE[dtype];
      expect(worstExcess(actual.y.data, expected.y.data, atol, rtol)).toBeLessThanOrEqual(0);
    });
  }

  it.each(CASES.filter((c) => c.op === 'Conv1d').map((c) => [c.label, c] as const))(
    'Conv1d as im2col MatMul in float32 (the float64 form): %s',
    async (_name, c) => {
      const { graph, feeds } = caseGraph(c, 'float32');
      const viaMatMul = exportOnnx(graph, { conv: 'MatMul' });
      const actual = await runOnnxBytes(viaMatMul, feeds, 'float32');
      const expected = await reference(graph, feeds);
      expect(worstExcess(actual.y.data, expected.y.data, 1e-5, 1e-5)).toBeLessThanOrEqual(0);
    },
  );

  it('keeps the core IEEE semantics in float64: NaN and ±Inf through unary ops, NaN-propagating ReduceMax, Step(NaN) = NaN', async () => {
    const special = tensor([NaN, Infinity, -Infinity, 0, -1.5, 2], [2, 3]);
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    b.output('relu', relu(x));
    b.output('step', step(x));
    b.output('exp', exp(x));
    b.output('neg', neg(x));
    b.output('log', log(x));
    b.output('sqrt', sqrt(x));
    b.output('max', reduceMax(x, [1]));
    b.output('sum', reduceSum(x, [0]));
    b.output('equal', equal(x, x));
    const graph = b.build();
    const [actual, expected] = await Promise.all([backend.run(graph, { x: special }, { nonFinite: 'allow' }), reference(graph, { x: special })]);
    for (const name of Object.keys(graph.outputs)) {
      expect(
        worstExcess(actual[name].data, expected[name].data, 0, 1e-15),
        `${name}: ${Array.from(actual[name].data)} vs ${Array.from(expected[name].data)}`,
      ).toBeLessThanOrEqual(0);
    }
  });
});
