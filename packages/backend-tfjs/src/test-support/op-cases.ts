import {
  add,
  broadcastTo,
  causalMask,
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
  type Graph,
  type NodeRef,
  type Tensor,
} from '@sas/core';

/** One op test: a float32 graph with inputs x0, x1…, and seeded feeds. */
export interface OpCase {
  readonly name: string;
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
}

let seed = 100;

/** Seeded normal feed, optionally rounded (so Equal sees ties) or shifted. */
function feed(shape: number[], transform?: (v: number) => number): Tensor {
  const t = randomNormal(shape, seed++, 'float32');
  if (transform) for (let i = 0; i < t.data.length; i++) t.data[i] = transform(t.data[i]);
  return t;
}

function makeCase(name: string, shapes: number[][], build: (xs: NodeRef[]) => NodeRef, transform?: (v: number) => number): OpCase {
  const b = new GraphBuilder('float32');
  const xs = shapes.map((s, i) => b.input(`x${i}`, s));
  b.output('y', build(xs));
  const feeds = Object.fromEntries(shapes.map((s, i) => [`x${i}`, feed(s, transform)]));
  return { name, graph: b.build(), feeds };
}

const BROADCAST_PAIRS: number[][][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3], [3]],
  [
    [4, 1, 5],
    [3, 1],
  ],
  [[], [2, 2]],
  [[1], [3, 1, 2]],
  [
    [2, 1, 3, 1],
    [1, 4, 1, 5],
  ],
];

/** Every op on several shapes, broadcasting and attribute cases included. */
export function opCases(): OpCase[] {
  const cases: OpCase[] = [];
  const binary = { Add: add, Sub: sub, Mul: mul, Div: div } as const;
  for (const [op, fn] of Object.entries(binary)) {
    for (const [a, b] of BROADCAST_PAIRS) cases.push(makeCase(`${op} ${JSON.stringify(a)}·${JSON.stringify(b)}`, [a, b], ([x, y]) => fn(x, y)));
  }
  for (const [a, b] of BROADCAST_PAIRS)
    cases.push(
      makeCase(
        `Equal ${JSON.stringify(a)}·${JSON.stringify(b)}`,
        [a, b],
        ([x, y]) => equal(x, y),
        (v) => Math.round(v),
      ),
    );
  const unary = { Neg: neg, Exp: exp, Relu: relu, Step: step } as const;
  for (const [op, fn] of Object.entries(unary)) for (const s of [[7], [2, 3, 4], []]) cases.push(makeCase(`${op} ${JSON.stringify(s)}`, [s], ([x]) => fn(x)));
  for (const s of [[7], [3, 5]]) {
    cases.push(
      makeCase(
        `Log ${JSON.stringify(s)}`,
        [s],
        ([x]) => log(x),
        (v) => Math.abs(v) + 0.01,
      ),
    );
    cases.push(
      makeCase(
        `Sqrt ${JSON.stringify(s)}`,
        [s],
        ([x]) => sqrt(x),
        (v) => Math.abs(v),
      ),
    );
  }
  cases.push(
    makeCase(
      'Step on rounded values (ties at 0)',
      [[4, 4]],
      ([x]) => step(x),
      (v) => Math.round(v),
    ),
  );
  const matmuls: [number[], number[], boolean, boolean][] = [
    [[3, 4], [4, 5], false, false],
    [[3, 4], [5, 4], false, true],
    [[4, 3], [4, 5], true, false],
    [[4, 3], [5, 4], true, true],
    [[2, 3, 4], [2, 4, 5], false, false],
    [[6, 3, 4], [6, 5, 4], false, true],
    [[2, 4, 3], [2, 4, 5], true, false],
    [[2, 4, 3], [2, 5, 4], true, true],
    [[2, 1, 3, 4], [1, 5, 4, 2], false, false],
    [[2, 1, 4, 3], [1, 5, 2, 4], true, true],
    [[3, 7, 4], [4, 5], false, false],
    [[3, 7, 4], [5, 4], false, true],
    [[3, 4, 7], [4, 5], true, false],
    [[3, 4], [6, 4, 5], false, false],
    [[3, 4], [6, 5, 4], false, true],
    [[1, 3, 4], [2, 2, 4, 5], false, false],
    [[2, 3, 1, 5, 8], [2, 3, 4, 5, 8], false, true],
    // Large enough per matrix (≥ 2^20 multiply-adds) for wasm's per-matrix GEMM route.
    [[3, 128, 64], [3, 128, 64], false, true],
    [[2, 64, 128], [2, 64, 130], true, false],
    [[1, 2, 130, 64], [2, 1, 64, 128], false, false],
  ];
  for (const [a, b, ta, tb] of matmuls)
    cases.push(makeCase(`MatMul ${JSON.stringify(a)}${ta ? 'ᵀ' : ''}·${JSON.stringify(b)}${tb ? 'ᵀ' : ''}`, [a, b], ([x, y]) => matMul(x, y, ta, tb)));
  // Products larger than their operands are deferred by the backend; a ReduceSum over the batch folds them.
  const folded: [string, number[][], (xs: NodeRef[]) => NodeRef][] = [
    [
      'ΣbatchMatMul aᵀ·b (folded)',
      [
        [3, 2, 2, 16],
        [3, 2, 2, 12],
      ],
      ([a, b]) => reduceSum(matMul(a, b, true, false), [0, 1]),
    ],
    [
      'ΣbatchMatMul a·b (folded)',
      [
        [3, 16, 2],
        [3, 2, 12],
      ],
      ([a, b]) => reduceSum(matMul(a, b), [0]),
    ],
    [
      'ΣbatchMatMul a·bᵀ (folded)',
      [
        [3, 16, 2],
        [3, 12, 2],
      ],
      ([a, b]) => reduceSum(matMul(a, b, false, true), [0]),
    ],
    [
      'ΣbatchMatMul aᵀ·bᵀ (folded)',
      [
        [3, 2, 16],
        [3, 12, 2],
      ],
      ([a, b]) => reduceSum(matMul(a, b, true, true), [0]),
    ],
    [
      'ΣbatchMatMul keepDims (folded)',
      [
        [3, 16, 2],
        [3, 2, 12],
      ],
      ([a, b]) => reduceSum(matMul(a, b), [0], true),
    ],
    [
      'ΣbatchMatMul over one of two batch axes (not folded)',
      [
        [3, 2, 16, 2],
        [3, 2, 2, 12],
      ],
      ([a, b]) => reduceSum(matMul(a, b), [1]),
    ],
    [
      'ΣbatchMatMul with a broadcast operand (not folded)',
      [
        [3, 16, 2],
        [2, 12],
      ],
      ([a, b]) => reduceSum(matMul(a, b), [0]),
    ],
    [
      'deferred product used twice',
      [
        [3, 16, 2],
        [3, 2, 12],
      ],
      ([a, b]) => {
        const p = matMul(a, b);
        return add(reduceSum(p, [0]), reduceSum(mul(p, 2), [0]));
      },
    ],
    [
      'deferred product as the output',
      [
        [3, 16, 2],
        [3, 2, 12],
      ],
      ([a, b]) => matMul(a, b),
    ],
  ];
  for (const [name, shapes, build] of folded) cases.push(makeCase(name, shapes, build));
  const convs: [number[], number[], number][] = [
    [[2, 3, 8], [4, 3, 3], 1],
    [[1, 2, 5], [3, 2, 1], 0],
    [[3, 4, 6], [2, 4, 5], 2],
    [[2, 3, 8], [4, 3, 3], 0],
    [[2, 2, 3], [2, 2, 5], 4],
    [[5, 6, 16], [12, 6, 3], 1],
  ];
  for (const [x, w, pad] of convs) cases.push(makeCase(`Conv1d ${JSON.stringify(x)}⋆${JSON.stringify(w)} pad ${pad}`, [x, w], ([a, b]) => conv1d(a, b, pad)));
  const reductions: [number[], number[], boolean][] = [
    [[2, 3, 4], [1], false],
    [[2, 3, 4], [0, 2], true],
    [[2, 3, 4], [-1], true],
    [[5], [0], false],
    [[2, 3], [], false],
    [[3, 1, 4], [0, 1, 2], false],
  ];
  for (const [s, axes, keep] of reductions) {
    cases.push(makeCase(`ReduceSum ${JSON.stringify(s)} axes ${JSON.stringify(axes)} keep ${keep}`, [s], ([x]) => reduceSum(x, axes, keep)));
    cases.push(makeCase(`ReduceMax ${JSON.stringify(s)} axes ${JSON.stringify(axes)} keep ${keep}`, [s], ([x]) => reduceMax(x, axes, keep)));
  }
  for (const s of [[5], [3, 6], [2, 3, 7], [2, 2, 3, 4]])
    cases.push(
      makeCase(
        `Softmax ${JSON.stringify(s)}`,
        [s],
        ([x]) => softmax(x),
        (v) => 20 * v,
      ),
    );
  for (const s of [
    [4, 4],
    [2, 3, 5, 5],
    [3, 5],
    [5, 3],
    [2, 1, 4, 6],
  ]) {
    cases.push(makeCase(`CausalMask neg-inf ${JSON.stringify(s)}`, [s], ([x]) => causalMask(x, 'neg-inf')));
    cases.push(makeCase(`CausalMask zero ${JSON.stringify(s)}`, [s], ([x]) => causalMask(x, 'zero')));
  }
  cases.push(makeCase('CausalMask then Softmax [2,6,6]', [[2, 6, 6]], ([x]) => softmax(causalMask(x, 'neg-inf'))));
  cases.push(makeCase('Reshape [2,3,4]→[6,4]', [[2, 3, 4]], ([x]) => reshape(x, [6, 4])));
  cases.push(makeCase('Reshape [2,3]→[3,2] (same size, new view)', [[2, 3]], ([x]) => reshape(x, [3, 2])));
  for (const perm of [
    [1, 0, 2],
    [2, 0, 1],
    [0, 2, 1],
    [0, 1, 2],
  ])
    cases.push(makeCase(`Transpose [2,3,4] ${JSON.stringify(perm)}`, [[2, 3, 4]], ([x]) => transpose(x, perm)));
  cases.push(makeCase('Transpose [2,3,4,5] [0,2,1,3]', [[2, 3, 4, 5]], ([x]) => transpose(x, [0, 2, 1, 3])));
  for (const [s, to] of [
    [
      [1, 3],
      [4, 3],
    ],
    [[3], [2, 2, 3]],
    [
      [2, 1, 4],
      [2, 5, 4],
    ],
    [
      [2, 3],
      [2, 3],
    ],
    [[], [2, 2]],
  ])
    cases.push(makeCase(`BroadcastTo ${JSON.stringify(s)}→${JSON.stringify(to)}`, [s], ([x]) => broadcastTo(x, to)));
  for (const axis of [0, 1, 2, -1]) cases.push(makeCase(`Flip [2,3,4] axis ${axis}`, [[2, 3, 4]], ([x]) => flip(x, axis)));
  return cases;
}

/**
 * Non-finite edge semantics (NaN and ±Inf must come out as the reference
 * says): graphs with input x and output y, fed a mix of NaN, ±Inf, ±0 and
 * finite values. Run with `nonFinite: 'allow'`.
 */
export function edgeCases(): OpCase[] {
  const special = tensor([NaN, -Infinity, -1, -0, 0, 1, Infinity, 2], [8], 'float32');
  const builds: [string, (x: NodeRef) => NodeRef, number[]][] = [
    ['Relu', (x) => relu(x), [8]],
    ['Step', (x) => step(x), [8]],
    ['ReduceMax', (x) => reduceMax(x, [0]), [8]],
    ['Equal with itself', (x) => equal(x, x), [8]],
    ['Softmax', (x) => softmax(x), [8]],
    ['CausalMask over non-finite values', (x) => causalMask(x, 'zero'), [2, 4]],
  ];
  return builds.map(([name, build, shape]) => {
    const b = new GraphBuilder('float32');
    b.output('y', build(b.input('x', shape)));
    return { name, graph: b.build(), feeds: { x: { ...special, shape } } };
  });
}
