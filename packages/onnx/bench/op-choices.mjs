// The measurements behind the ONNX forms of the char GPT's ops (docs/onnx.md,
// "Model ops"): each line times one formulation of the same computation in
// ONNX Runtime (CPU) at the model's sizes: V = 84 rows, w = 128 columns,
// N = 2048 ids (B = 16, T = 128). One intra-op thread by default: on a shared
// machine a second thread mostly measures how long it waits for a core. The
// minimum is the figure to compare there (a run that was never preempted);
// the median says how noisy the machine was. Runs against the built packages:
//   pnpm exec tsc -b packages/onnx && node packages/onnx/bench/op-choices.mjs [runs] [float32|float64] [threads]
import { GraphBuilder, crossEntropy, gather, layerNorm, lowerGraph, OP_NAMES, randomNormal, scatterAdd } from '@sas/core';
import { encodeModel, exportOnnx, ONNX_DTYPE, OnnxEmitter } from '@sas/onnx';
import ort from 'onnxruntime-node';

const runs = Number(process.argv[2] ?? 50);
const dtype = process.argv[3] ?? 'float32';
const threads = Number(process.argv[4] ?? 1);
const [V, W, N] = [84, 128, 2048];
const T = dtype === 'float32' ? ONNX_DTYPE.FLOAT : ONNX_DTYPE.DOUBLE;
const Arr = dtype === 'float32' ? Float32Array : Float64Array;

const ids = Arr.from({ length: N }, (_, i) => (i * 7919) % V);
const feedsOf = (inputs) => Object.fromEntries(inputs.map(([name, data, shape]) => [name, new ort.Tensor(dtype, data, shape)]));
const normal = (shape, seed) => Arr.from(randomNormal(shape, seed, 'float64').data);

/** Minimum and median wall time of session.run over `runs` runs, after two warm-up runs. */
async function time(label, bytes, feeds) {
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: dtype === 'float64' ? 'basic' : 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  for (let i = 0; i < 2; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await session.run(feeds);
    times.push(performance.now() - start);
  }
  await session.release();
  times.sort((a, b) => a - b);
  const ms = (t) => t.toFixed(3).padStart(7);
  console.log(`  ${label.padEnd(66)} min ${ms(times[0])} ms   median ${ms(times[runs >> 1])} ms`);
}

/** A hand-built model: `build(e)` appends nodes to the emitter and returns the output name. */
function handModel(inputs, build, outShape) {
  const e = new OnnxEmitter(dtype, new Set(inputs.map(([n]) => n)));
  const y = build(e);
  e.node('Identity', [y], [], 'y');
  return encodeModel({
    irVersion: 8,
    opsetVersion: 18,
    producerName: 'bench',
    producerVersion: '0',
    graph: {
      name: 'bench',
      nodes: e.nodes,
      initializers: e.initializers,
      inputs: inputs.map(([name, , shape]) => ({ name, elemType: T, shape })),
      outputs: [{ name: 'y', elemType: T, shape: outShape }],
    },
  });
}

/** The core graph with every composite op written as its primitive decomposition, exported. */
function decomposed(build) {
  const b = new GraphBuilder(dtype);
  b.output('y', build(b));
  return exportOnnx(lowerGraph(b.build(), (op) => OP_NAMES.includes(op), 'bench'));
}
/** The core graph exported as the exporter writes it now. */
function asExported(build) {
  const b = new GraphBuilder(dtype);
  b.output('y', build(b));
  return exportOnnx(b.build());
}

const int64 = (e, x) => e.node('Cast', [x], [{ name: 'to', type: 'int', value: ONNX_DTYPE.INT64 }]);
const idx = (e) => e.node('Reshape', [int64(e, 'ids'), e.int64s([N, 1])]);

console.log(`ONNX Runtime ${ort.env.versions?.common ?? ''}, ${dtype}, ${threads} intra-op thread(s), ${runs} runs each`);
console.log(`ScatterAdd: ids [${N}], updates [${N},${W}] into [${V},${W}]`);
{
  const inputs = [
    ['ids', ids, [N]],
    ['u', normal([N, W], 1), [N, W]],
  ];
  const feeds = feedsOf(inputs);
  const zeros = (e) => e.node('Expand', [e.floats([0], []), e.int64s([V, W])]);
  const add = { name: 'reduction', type: 'string', value: 'add' };
  await time(
    'one-hot MatMul (the decomposition: Equal, Cast, Transpose, MatMul)',
    decomposed((b) => scatterAdd(b.input('ids', [N]), b.input('u', [N, W]), V)),
    feeds,
  );
  await time(
    'ScatterND reduction=add',
    handModel(inputs, (e) => e.node('ScatterND', [zeros(e), idx(e), 'u'], [add]), [V, W]),
    feeds,
  );
  await time(
    'ScatterElements reduction=add, axis 0 (indices expanded to [N,w])',
    handModel(
      inputs,
      (e) => e.node('ScatterElements', [zeros(e), e.node('Expand', [idx(e), e.int64s([N, W])]), 'u'], [add, { name: 'axis', type: 'int', value: 0 }]),
      [V, W],
    ),
    feeds,
  );
  await time(
    'as exported now',
    asExported((b) => scatterAdd(b.input('ids', [N]), b.input('u', [N, W]), V)),
    feeds,
  );
}

console.log(`Gather: table [${V},${W}], ids [${N}]`);
{
  const inputs = [
    ['t', normal([V, W], 2), [V, W]],
    ['ids', ids, [N]],
  ];
  const feeds = feedsOf(inputs);
  await time(
    'one-hot MatMul (the decomposition)',
    decomposed((b) => gather(b.input('t', [V, W]), b.input('ids', [N]))),
    feeds,
  );
  await time(
    'Gather(table, Cast(ids)), unguarded',
    handModel(inputs, (e) => e.node('Gather', ['t', int64(e, 'ids')], [{ name: 'axis', type: 'int', value: 0 }]), [N, W]),
    feeds,
  );
  await time(
    'as exported now',
    asExported((b) => gather(b.input('t', [V, W]), b.input('ids', [N]))),
    feeds,
  );
}

console.log(`LayerNorm: x [${N},${W}]`);
{
  const inputs = [
    ['x', normal([N, W], 3), [N, W]],
    ['g', normal([W], 4), [W]],
    ['b', normal([W], 5), [W]],
  ];
  const feeds = feedsOf(inputs);
  const ln = (b) => layerNorm(b.input('x', [N, W]), b.input('g', [W]), b.input('b', [W]));
  const attrs = [
    { name: 'axis', type: 'int', value: -1 },
    { name: 'epsilon', type: 'float', value: 1e-5 },
    { name: 'stash_type', type: 'int', value: T },
  ];
  await time('the decomposition (ReduceSum, Div, Sub, Mul, Sqrt, Add)', decomposed(ln), feeds);
  await time(
    'LayerNormalization',
    handModel(inputs, (e) => e.node('LayerNormalization', ['x', 'g', 'b'], attrs), [N, W]),
    feeds,
  );
  await time(
    'LayerNormalization of x − mean(x)',
    handModel(inputs, (e) => e.node('LayerNormalization', [e.node('Sub', ['x', e.node('ReduceMean', ['x', e.int64s([-1])])]), 'g', 'b'], attrs), [N, W]),
    feeds,
  );
  await time('as exported now', asExported(ln), feeds);
}

console.log(`CrossEntropy: logits [${N},${V}], targets [${N}]`);
{
  const targets = ids.map((v, i) => (i % 5 === 0 ? -100 : v));
  const inputs = [
    ['x', normal([N, V], 6), [N, V]],
    ['ids', targets, [N]],
  ];
  const feeds = feedsOf(inputs);
  const ce = (b) => crossEntropy(b.input('x', [N, V]), b.input('ids', [N]));
  await time('the decomposition (max-shifted log-sum-exp, one-hot pick)', decomposed(ce), feeds);
  await time(
    'SoftmaxCrossEntropyLoss(ignore_index −100, mean)',
    handModel(
      inputs,
      (e) =>
        e.node(
          'SoftmaxCrossEntropyLoss',
          ['x', int64(e, 'ids')],
          [
            { name: 'ignore_index', type: 'int', value: -100 },
            { name: 'reduction', type: 'string', value: 'mean' },
          ],
        ),
      [],
    ),
    feeds,
  );
  await time('as exported now', asExported(ce), feeds);
}
