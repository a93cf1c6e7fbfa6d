// SAS forward at the paper's head shape on tfjs, three ways: a straightforward
// hand-written SAS with the obvious tfjs ops, the core graph lowered by this
// package's backend, and the SASAttention layer. Runs against the built package:
//   pnpm exec tsc -b packages/backend-tfjs && node packages/backend-tfjs/bench/paper-shape.mjs [wasm|cpu] [runs]
import * as tf from '@tensorflow/tfjs-core';
import { buildLayer, initParams, randomNormal } from '@sas/core';
import { activateTfjsMode, createTfjsBackend, SASAttention } from '@sas/backend-tfjs';

const mode = process.argv[2] ?? 'wasm';
const runs = Number(process.argv[3] ?? 5);
const config = { kind: 'sas', batch: 1, seqLen: 512, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3, causal: true };
const { batch: B, seqLen: T, heads: H, headDim: D, simHeads: HS, simHeadDim: DS, kernelSize: K } = config;

const params = initParams(config, 1);
const inputs = { query: randomNormal([B, T, H, D], 2), key: randomNormal([B, T, H, D], 3), value: randomNormal([B, T, H, D], 4) };

async function median(label, fn) {
  await fn(); // warm-up: wasm operator caches, graph lowering
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} median ${times[runs >> 1].toFixed(0).padStart(5)} ms  (min ${times[0].toFixed(0)}, max ${times[runs - 1].toFixed(0)}, ${runs} runs)`,
  );
}

await activateTfjsMode(mode);
const w = Object.fromEntries(Object.entries(params).map(([n, t]) => [n, tf.tensor(t.data, t.shape, 'float32')]));
const x = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, tf.tensor(t.data, t.shape, 'float32')]));

// 1. SAS written by hand with the obvious tfjs ops: batched tf.matMul with
//    transpose flags, tf.conv1d 'same', a band mask broadcast by tf.where.
function naiveSAS(q, k, v) {
  const conv = (y, prefix, index) => {
    const wt = tf.transpose(w[`${prefix}.${index === 0 ? '0' : '1.process'}.weight`], [2, 1, 0]); // [k, Cin, Cout]
    return tf.add(tf.conv1d(y, wt, 1, 'same'), w[`${prefix}.${index === 0 ? '0' : '1.process'}.bias`]);
  };
  const branch = (input, prefix, features) => {
    const perToken = tf.transpose(tf.reshape(input, [B * T, H, D]), [0, 2, 1]); // [N, D, H] channels-last
    const y0 = conv(perToken, prefix, 0);
    let y = tf.transpose(tf.add(y0, conv(tf.relu(y0), prefix, 1)), [0, 2, 1]); // [N, H', D]
    if (features) {
      const z0 = tf.add(tf.matMul(y, w[`${prefix}.2.weight`], false, true), w[`${prefix}.2.bias`]);
      y = tf.add(z0, tf.add(tf.matMul(tf.relu(z0), w[`${prefix}.3.process.weight`], false, true), w[`${prefix}.3.process.bias`]));
    }
    return tf.transpose(tf.reshape(y, [B, T, HS, y.shape[2]]), [0, 2, 1, 3]); // [B, H', T, ·]
  };
  const qs = branch(q, 'sas_q', true);
  const ks = branch(k, 'sas_k', true);
  const vs = branch(v, 'sas_v', false);
  const scores = tf.mul(tf.matMul(qs, ks, false, true), 1 / Math.sqrt(DS));
  const band = tf.cast(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), 'bool');
  const probs = tf.softmax(tf.where(band, scores, tf.scalar(-Infinity)));
  const attention = tf.transpose(tf.matMul(probs, vs), [0, 2, 1, 3]); // [B, T, H', D]
  const grouped = tf.reshape(attention, [B, T, HS / H, H * D]);
  const dense = tf.add(tf.matMul(grouped, w['output_dense.weight'], false, true), w['output_dense.bias']);
  return tf.mean(dense, 2);
}
await median(`hand-written tfjs SAS (${mode})`, async () => {
  const out = tf.tidy(() => naiveSAS(x.query, x.key, x.value));
  await out.data();
  out.dispose();
});

// 2. The core graph on this package's backend (what `pnpm sas bench` times).
const backend = await createTfjsBackend({ mode });
const graph = buildLayer(config);
const feeds = { ...params, ...inputs };
await median(`@sas/backend-tfjs graph backend (${mode})`, () => backend.run(graph, feeds, { outputs: ['output'] }));

// 3. The SASAttention layer with the same weights.
const layer = new SASAttention({ heads: H, headDim: D, simHeads: HS, simHeadDim: DS, kernelSize: K, causal: true });
layer.loadAuthorsWeights(params);
await median(`SASAttention layer (${mode})`, async () => {
  const out = layer.apply([x.query, x.key, x.value]);
  await out.data();
  out.dispose();
});
