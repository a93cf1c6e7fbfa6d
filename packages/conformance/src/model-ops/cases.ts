// Seeded cases for the model's composite ops (Gather, ScatterAdd, LayerNorm,
// LayerNormGrad, Tanh, CrossEntropy): one small float32 graph per case, the
// op applied to operands that reach it through views (operands.ts), with
// the edge cases the model meets (repeated ids, ignored targets, a batch
// row of ignored targets, large logits, rows with a common offset, empty
// tensors) and the ones only computed ids can produce (out of range,
// fractional, NaN), which the op's own float64 definition refuses.

import { allocate, GraphBuilder, randomNormal, seededRandom, type Attrs, type DType, type Graph, type Tensor } from '@sas/core';
import { viewedOperand, viewsFor, type OperandView } from './operands.js';

/** The model's composite ops a backend may give kernels of its own. */
export const MODEL_OP_NAMES = ['Gather', 'ScatterAdd', 'LayerNorm', 'LayerNormGrad', 'Tanh', 'CrossEntropy'] as const;

/** One of the model's composite ops. */
export type ModelOpName = (typeof MODEL_OP_NAMES)[number];

/**
 * What a case's output is held to:
 * - `definition`: the op's own float64 `evaluate` on the operands' values;
 * - `decomposition`: the reference backend's result, which runs the op
 *   through its primitive decomposition (for ids outside the domain, which
 *   the definition refuses: an unmatched id gives a zero row, a dropped
 *   update, a target that picks nothing);
 * - `given`: the case's `expected` tensor, written from the op's contract
 *   where the decomposition itself would be NaN (0·∞ in its one-hot product).
 */
export type ModelOpOracle = 'definition' | 'decomposition' | 'given';

/** One model-op case: a float32 graph whose output `y` is the op, its operands also output as `operand0`, `operand1`, …. */
export interface ModelOpCase {
  readonly name: string;
  readonly op: ModelOpName;
  readonly graph: Graph;
  readonly feeds: Readonly<Record<string, Tensor>>;
  readonly oracle: ModelOpOracle;
  /** For `given` cases: the exact expected output. */
  readonly expected?: Tensor;
  /** True when a feed or the expected output holds NaN or ±∞ (GL drivers need not honour them). */
  readonly nonFinite: boolean;
  /**
   * True where the op's primitive decomposition gives NaN but the op does
   * not (a 0·∞ in its one-hot or masked product): kernels must follow the op,
   * so a backend running the decomposition fails these cases.
   */
  readonly decompositionNaN: boolean;
}

type Rng = () => number;

/** What every case generator draws from: the seeded generator, a seed for tensors, how many random shapes, the graphs' dtype. */
interface Gen {
  readonly rng: Rng;
  readonly seed: number;
  readonly random: number;
  readonly dtype: DType;
}

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const given = (dtype: DType, shape: readonly number[], values: ArrayLike<number>): Tensor => {
  const data = allocate(dtype, values.length);
  data.set(Array.from(values));
  return { dtype, shape: [...shape], data };
};
const hasNonFinite = (ts: readonly Tensor[]) => ts.some((t) => t.data.some((v) => !Number.isFinite(v)));

/** Integer ids in [0, n), uniformly drawn (so repeats appear once there are more ids than rows). */
function randomIds(g: Gen, shape: readonly number[], n: number): Tensor {
  const rng = g.rng;
  return given(
    g.dtype,
    shape,
    Array.from({ length: shape.reduce((a, d) => a * d, 1) }, () => Math.floor(rng() * n)),
  );
}

/** Normal values, every other row (last axis) shifted by `offset`. */
function shiftedRows(shape: readonly number[], seed: number, offset: number, dtype: DType): Tensor {
  const t = randomNormal(shape, seed, dtype);
  const w = shape[shape.length - 1] || 1;
  for (let i = 0; i < t.data.length; i++) if (Math.floor(i / w) % 2 === 1) t.data[i] += offset;
  return t;
}

/** Builds the graph of one case from the operands' values and views. */
function makeCase(
  dtype: DType,
  op: ModelOpName,
  label: string,
  operands: readonly { value: Tensor; view: OperandView }[],
  attrs: Attrs,
  oracle: ModelOpOracle = 'definition',
  expected?: Tensor,
  nonFiniteResult = false,
  decompositionNaN = false,
): ModelOpCase {
  const b = new GraphBuilder(dtype);
  const feeds: Record<string, Tensor> = {};
  const nodes = operands.map(({ value, view }, i) => {
    const { node, feed } = viewedOperand(b, `x${i}`, value, view);
    feeds[`x${i}`] = feed;
    return node;
  });
  b.output('y', b.applyByName(op, nodes, attrs));
  nodes.forEach((node, i) => b.output(`operand${i}`, node));
  const views = operands.map((o) => o.view);
  const name = `${op} ${label}${views.some((v) => v !== 'plain') ? ` via ${views.join('+')}` : ''}`;
  const nonFinite = nonFiniteResult || hasNonFinite(Object.values(feeds)) || (expected !== undefined && hasNonFinite([expected]));
  return { name, op, graph: b.build(), feeds, oracle, expected, nonFinite, decompositionNaN };
}

const shapeText = (s: readonly number[]) => `[${s.join(',')}]`;

function gatherCases(g: Gen): ModelOpCase[] {
  const { rng, seed, random, dtype } = g;
  const shapes: [number[], number[]][] = [
    [
      [13, 16],
      [2, 9],
    ],
    [[5, 3], [40]],
    [[1, 4], [6]],
    [[7, 8], []],
    [
      [7, 8],
      [3, 0],
    ],
    [[4, 0], [5]],
    [
      [84, 128],
      [4, 32],
    ],
  ];
  for (let k = 0; k < random; k++) {
    shapes.push([[int(rng, 1, 20), int(rng, 1, 24)], Array.from({ length: int(rng, 0, 3) }, () => int(rng, 1, 5))]);
  }
  const cases = shapes.map(([table, ids], k) =>
    makeCase(
      g.dtype,
      'Gather',
      `table ${shapeText(table)}, ids ${shapeText(ids)}`,
      [
        { value: randomNormal(table, seed + k, dtype), view: pick(rng, viewsFor(table)) },
        { value: randomIds(g, ids, table[0]), view: pick(rng, viewsFor(ids)) },
      ],
      {},
    ),
  );
  const table = randomNormal([5, 4], seed + 100, dtype);
  const bad = [-1, 5, 2.5, 1e9, -0.5, 4, 0, 3];
  cases.push(
    makeCase(
      g.dtype,
      'Gather',
      'computed ids outside [0, V) or fractional',
      [
        { value: table, view: 'plain' },
        { value: given(dtype, [8], bad), view: 'plain' },
      ],
      {},
      'decomposition',
    ),
  );
  const nonFiniteIds = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2];
  cases.push(
    makeCase(
      g.dtype,
      'Gather',
      'computed ids NaN and ±∞',
      [
        { value: table, view: 'plain' },
        { value: given(dtype, [4], nonFiniteIds), view: 'plain' },
      ],
      {},
      'decomposition',
    ),
  );
  // Row 0 holds ±∞ and NaN: an unmatched id's row is still exactly zero (the one-hot product would give NaN there).
  const poisoned = given(dtype, [3, 3], [Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY, 1, 2, 3, 4, 5, 6]);
  const ids = [1, -1, 7, 0.5, 2];
  const rows = ids.flatMap((id) => (Number.isInteger(id) && id >= 0 && id < 3 ? Array.from(poisoned.data.subarray(id * 3, id * 3 + 3)) : [0, 0, 0]));
  cases.push(
    makeCase(
      g.dtype,
      'Gather',
      'unmatched ids next to a non-finite row 0',
      [
        { value: poisoned, view: 'plain' },
        { value: given(dtype, [5], ids), view: 'plain' },
      ],
      {},
      'given',
      given(dtype, [5, 3], rows),
      false,
      true,
    ),
  );
  return cases;
}

function scatterAddCases(g: Gen): ModelOpCase[] {
  const { rng, seed, random, dtype } = g;
  const shapes: [number[], number, number][] = [
    [[2, 9], 13, 16],
    [[64], 3, 5],
    [[6], 1, 4],
    [[3, 0], 7, 8],
    [[5], 4, 0],
    [[4, 32], 84, 128],
  ];
  for (let k = 0; k < random; k++) {
    shapes.push([Array.from({ length: int(rng, 0, 3) }, () => int(rng, 1, 5)), int(rng, 1, 12), int(rng, 1, 9)]);
  }
  const cases = shapes.map(([ids, rows, w], k) => {
    const updates = [...ids, w];
    return makeCase(
      g.dtype,
      'ScatterAdd',
      `ids ${shapeText(ids)}, updates ${shapeText(updates)}, rows ${rows}`,
      [
        { value: randomIds(g, ids, rows), view: pick(rng, viewsFor(ids)) },
        { value: randomNormal(updates, seed + 200 + k, dtype), view: pick(rng, viewsFor(updates)) },
      ],
      { rows },
    );
  });
  const updates = randomNormal([8, 2], seed + 300, dtype);
  const bad = [-1, 3, 0.5, 1e9, 2, 2, 0, -0.25];
  cases.push(
    makeCase(
      g.dtype,
      'ScatterAdd',
      'computed ids outside [0, rows) or fractional',
      [
        { value: given(dtype, [8], bad), view: 'plain' },
        { value: updates, view: 'plain' },
      ],
      { rows: 3 },
      'decomposition',
    ),
  );
  const nonFiniteIds = [Number.NaN, Number.POSITIVE_INFINITY, 1, Number.NEGATIVE_INFINITY, 1, 0, 2, 2];
  cases.push(
    makeCase(
      g.dtype,
      'ScatterAdd',
      'computed ids NaN and ±∞',
      [
        { value: given(dtype, [8], nonFiniteIds), view: 'plain' },
        { value: updates, view: 'plain' },
      ],
      { rows: 3 },
      'decomposition',
    ),
  );
  return cases;
}

const NORM_SHAPES = [
  [4, 16],
  [2, 5, 8],
  [3, 1],
  [1, 128],
  [0, 6],
  [2, 3, 4, 5],
];

function layerNormOperands(g: Gen, seed: number, shape: readonly number[]) {
  const { rng, dtype } = g;
  const w = shape[shape.length - 1];
  // Every other row sits 100 away from 0: the statistics must not cancel (two passes, not E[x²] − E[x]²).
  return [
    { value: shiftedRows(shape, seed, 100, dtype), view: pick(rng, viewsFor(shape)) },
    { value: randomNormal([w], seed + 1, dtype), view: pick(rng, viewsFor([w])) },
  ];
}

function layerNormCases(g: Gen, grad: boolean): ModelOpCase[] {
  const { rng, seed, random, dtype } = g;
  const shapes = [...NORM_SHAPES];
  for (let k = 0; k < random; k++) shapes.push(Array.from({ length: int(rng, 1, 3) }, () => int(rng, 1, 9)));
  const cases: ModelOpCase[] = [];
  shapes.forEach((shape, k) => {
    const w = shape[shape.length - 1];
    for (const eps of [1e-5, 0]) {
      // A one-wide row has zero variance: with eps 0 it is 0/0, NaN everywhere (as in torch).
      const label = `x ${shapeText(shape)}, eps ${eps}`;
      const [x, weight] = layerNormOperands(g, seed + 10 * k, shape);
      if (!grad) {
        const bias = { value: randomNormal([w], seed + 10 * k + 2, dtype), view: pick(rng, viewsFor([w])) };
        cases.push(makeCase(g.dtype, 'LayerNorm', label, [x, weight, bias], { eps }, 'definition', undefined, w === 1 && eps === 0));
        continue;
      }
      const cotangent = { value: randomNormal(shape, seed + 10 * k + 3, dtype), view: pick(rng, viewsFor(shape)) };
      for (const wrt of ['x', 'weight'] as const) {
        cases.push(
          makeCase(g.dtype, 'LayerNormGrad', `${label}, wrt ${wrt}`, [x, weight, cotangent], { eps, wrt }, 'definition', undefined, w === 1 && eps === 0),
        );
      }
    }
  });
  return cases;
}

function tanhCases(g: Gen): ModelOpCase[] {
  const { rng, seed, random, dtype } = g;
  const shapes = [[2, 9, 64], [7], [], [3, 0]];
  for (let k = 0; k < random; k++) shapes.push(Array.from({ length: int(rng, 0, 4) }, () => int(rng, 1, 6)));
  const cases = shapes.map((shape, k) => {
    const x = randomNormal(shape, seed + 400 + k, dtype);
    for (let i = 0; i < x.data.length; i++) x.data[i] *= 3;
    return makeCase(g.dtype, 'Tanh', `x ${shapeText(shape)}`, [{ value: x, view: pick(rng, viewsFor(shape)) }], {});
  });
  const saturating = [-1e4, -88, -20, -9, -0.5, -1e-3, -1e-7, 0, 1e-7, 1e-3, 0.5, 9, 20, 88, 1e4];
  cases.push(makeCase(g.dtype, 'Tanh', 'saturating and tiny values', [{ value: given(dtype, [saturating.length], saturating), view: 'plain' }], {}));
  const special = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1];
  cases.push(makeCase(g.dtype, 'Tanh', '±∞ and NaN', [{ value: given(dtype, [special.length], special), view: 'plain' }], {}));
  return cases;
}

/** Targets in [0, v), with each position ignored (−100) with probability `ignored`. */
function randomTargets(g: Gen, shape: readonly number[], v: number, ignored: number, ignoreIndex = -100): Tensor {
  const rng = g.rng;
  const t = randomIds(g, shape, v);
  for (let i = 0; i < t.data.length; i++) if (rng() < ignored) t.data[i] = ignoreIndex;
  return t;
}

function crossEntropyCases(g: Gen): ModelOpCase[] {
  const { rng, seed, random, dtype } = g;
  const shapes: number[][] = [
    [2, 9, 13],
    [5, 3],
    [1, 1],
    [64, 84],
    [3, 4, 2, 6],
  ];
  for (let k = 0; k < random; k++) shapes.push(Array.from({ length: int(rng, 1, 3) }, () => int(rng, 1, 9)));
  const ce = (
    label: string,
    logits: Tensor,
    targets: Tensor,
    ignoreIndex = -100,
    oracle: ModelOpOracle = 'definition',
    nanResult = false,
    decompositionNaN = false,
  ) =>
    makeCase(
      g.dtype,
      'CrossEntropy',
      label,
      [
        { value: logits, view: pick(rng, viewsFor(logits.shape)) },
        { value: targets, view: pick(rng, viewsFor(targets.shape)) },
      ],
      { ignoreIndex },
      oracle,
      undefined,
      nanResult,
      decompositionNaN,
    );
  const cases = shapes.map((shape, k) => {
    const targets = randomTargets(g, shape.slice(0, -1), shape[shape.length - 1], 0.3);
    // The definition refuses a batch with no counted position: keep one.
    if (!targets.data.some((t) => t !== -100)) targets.data[0] = 0;
    const logits = randomNormal(shape, seed + 500 + k, dtype);
    for (let i = 0; i < logits.data.length; i++) logits.data[i] *= 2;
    return ce(`logits ${shapeText(shape)}`, logits, targets);
  });
  // Logits around ±10⁵: the target's term must be taken relative to the row max, not as a difference of two ~10⁵ numbers.
  const large = randomNormal([4, 11], seed + 600, dtype);
  for (let i = 0; i < large.data.length; i++) large.data[i] = large.data[i] * 3 + (Math.floor(i / 11) % 2 ? 1e5 : -1e5);
  cases.push(ce('logits around ±1e5', large, randomTargets(g, [4], 11, 0)));
  // A whole batch row of ignored positions (the context part of associative recall).
  const recall = randomTargets(g, [3, 8], 10, 0);
  for (let j = 0; j < 8; j++) recall.data[8 + j] = -100;
  cases.push(ce('a batch row all ignored', randomNormal([3, 8, 10], seed + 610, dtype), recall));
  cases.push(ce('ignoreIndex −1', randomNormal([4, 5], seed + 620, dtype), given(dtype, [4], [-1, 2, -1, 4]), -1));
  // An ignored row holding ±∞ must not reach the mean (it would as 0·∞ in a masked product).
  const poisoned = randomNormal([3, 4], seed + 630, dtype);
  poisoned.data.set([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1], 4);
  cases.push(ce('an ignored row holding ±∞ and NaN', poisoned, given(dtype, [3], [1, -100, 3]), -100, 'definition', false, true));
  // Computed targets the definition refuses: outside [0, V) but not the ignore index, fractional; every position ignored (0/0).
  cases.push(
    ce(
      'computed targets outside [0, V) or fractional',
      randomNormal([6, 5], seed + 640, dtype),
      given(dtype, [6], [-1, 5, 2.5, 1e9, 3, -100]),
      -100,
      'decomposition',
    ),
  );
  cases.push(
    ce('every position ignored (NaN, 0/0)', randomNormal([3, 5], seed + 650, dtype), given(dtype, [3], [-100, -100, -100]), -100, 'decomposition', true),
  );
  return cases;
}

/**
 * Seeded cases for every model op (or one): fixed edge cases plus `random`
 * randomly shaped ones per op, each operand reached through a random view.
 * The same seed gives the same cases on every machine.
 *
 * @example
 * ```ts
 * import { modelOpCases } from '@sas/conformance';
 * const cases = modelOpCases({ op: 'Gather' });
 * cases[0].name; // 'Gather table [13,16], ids [2,9] …'
 * ```
 */
export function modelOpCases(
  options: { readonly op?: ModelOpName; readonly seed?: number; readonly random?: number; readonly dtype?: DType } = {},
): ModelOpCase[] {
  const seed = options.seed ?? 1;
  const random = options.random ?? 6;
  const dtype = options.dtype ?? 'float32';
  const ops = options.op ? [options.op] : MODEL_OP_NAMES;
  return ops.flatMap((op) => {
    const g: Gen = { rng: seededRandom(seed * 7919 + MODEL_OP_NAMES.indexOf(op)), seed: seed * 1000, random, dtype };
    switch (op) {
      case 'Gather':
        return gatherCases(g);
      case 'ScatterAdd':
        return scatterAddCases(g);
      case 'LayerNorm':
        return layerNormCases(g, false);
      case 'LayerNormGrad':
        return layerNormCases(g, true);
      case 'Tanh':
        return tanhCases(g);
      case 'CrossEntropy':
        return crossEntropyCases(g);
    }
  });
}
