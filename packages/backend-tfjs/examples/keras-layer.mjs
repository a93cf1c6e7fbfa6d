// SASMultiHeadAttention, the Keras-style SAS layer: a tf.sequential text
// model with padding, cross-attention with attention scores, and saving to a
// directory in Node without tfjs-node. Runs against the built package:
//   pnpm exec tsc -b packages/backend-tfjs && node packages/backend-tfjs/examples/keras-layer.mjs
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activateTfjsMode, SASMultiHeadAttention } from '@sas/backend-tfjs';

await activateTfjsMode('wasm'); // or 'cpu'; throws instead of silently falling back

// 1. tf.sequential: token ids (0 = padding) → embedding → SAS self-attention → mean → one number.
const model = tfl.sequential({
  layers: [
    // trainable: false only because tfjs-wasm has no kernel for an embedding's gradient.
    tfl.layers.embedding({ inputDim: 20, outputDim: 32, maskZero: true, inputShape: [null], trainable: false }),
    new SASMultiHeadAttention({ numHeads: 4, keyDim: 8, simHeads: 8, simKeyDim: 16, dropout: 0.1, name: 'sas' }),
    tfl.layers.globalAveragePooling1d(),
    tfl.layers.dense({ units: 1 }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
// Toy task: does token 1 occur? Sequences of 3 to 8 tokens, padded with 0 to 8.
const rows = Array.from({ length: 64 }, (_, i) => Array.from({ length: 8 }, (_, t) => (t < 3 + (i % 6) ? 1 + ((i * 7 + t * 5) % 19) : 0)));
const ids = tf.tensor2d(rows, [64, 8], 'int32');
const labels = tf.tensor2d(
  rows.map((r) => [r.includes(1) ? 1 : 0]),
  [64, 1],
);
const history = await model.fit(ids, labels, { epochs: 8, batchSize: 16, verbose: 0 });
console.log(`backend ${tf.getBackend()}, ${model.countParams()} parameters`);
console.log(`training loss by epoch: ${history.history.loss.map((l) => Number(l).toFixed(4)).join(' → ')}`);

// Padding changes nothing: the same tokens padded to 8 or to 12 give the same attention outputs.
const sas = model.getLayer('sas');
const embed = model.layers[0];
const attend = (tokens) => tf.tidy(() => tf.slice(sas.apply(embed.apply(tf.tensor2d([tokens], undefined, 'int32'))), [0, 0], [1, 3]).dataSync());
const short = attend([4, 1, 9, 0, 0, 0, 0, 0]);
const long = attend([4, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
console.log(`padded positions change nothing: max |difference| = ${Math.max(...short.map((v, i) => Math.abs(v - long[i]))).toExponential(1)}`);

// 2. Cross-attention, Keras's call: 3 queries attend to 5 memory steps, causal, with the attention probabilities.
const cross = new SASMultiHeadAttention({ numHeads: 2, keyDim: 8, simHeads: 4, simKeyDim: 16 });
const [out, scores] = cross.apply(tf.randomNormal([1, 3, 16]), { value: tf.randomNormal([1, 5, 24]), useCausalMask: true, returnAttentionScores: true });
console.log(
  `cross-attention output ${JSON.stringify(out.shape)}, scores ${JSON.stringify(scores.shape)} (query 0 attends to key 0 only: ${scores
    .arraySync()[0][0][0]
    .map((p) => p.toFixed(2))
    .join(' ')})`,
);

// 3. Saving to disk in Node: `file://` needs @tensorflow/tfjs-node; a save handler writes the same
// two files (model.json, weights.bin) with node:fs, into a new directory, renamed into place when complete.
function saveToDirectory(dir) {
  return tf.io.withSaveHandler(async (artifacts) => {
    const staging = `${dir}.partial`;
    mkdirSync(staging); // throws if it exists: nothing is overwritten
    writeFileSync(join(staging, 'weights.bin'), Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
    const { modelTopology, weightSpecs, format, generatedBy, convertedBy, trainingConfig } = artifacts;
    const json = { modelTopology, format, generatedBy, convertedBy, trainingConfig, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] };
    writeFileSync(join(staging, 'model.json'), JSON.stringify(json));
    renameSync(staging, dir); // fails if dir exists and is not empty
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
}
async function loadFromDirectory(dir) {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bytes = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
}

const root = mkdtempSync(join(tmpdir(), 'sas-keras-'));
const dir = join(root, 'model');
await model.save(saveToDirectory(dir));
const reloaded = await loadFromDirectory(dir);
const probe = tf.tensor2d([[3, 1, 4, 1, 5, 0, 0]], undefined, 'int32');
const before = model.predict(probe).dataSync();
const after = reloaded.predict(probe).dataSync();
console.log(`saved to ${dir} (model.json, weights.bin); reloaded model reproduces the prediction: ${before.every((v, i) => v === after[i])}`);
rmSync(root, { recursive: true });
