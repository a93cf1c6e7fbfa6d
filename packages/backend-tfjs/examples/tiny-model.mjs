// A tiny tfjs model with SAS attention, trained with model.fit, saved and
// reloaded. Runs against the built package:
//   pnpm exec tsc -b packages/backend-tfjs && node packages/backend-tfjs/examples/tiny-model.mjs
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { activateTfjsMode, SASAttention } from '@sas/backend-tfjs';

await activateTfjsMode('wasm'); // or 'cpu'; throws instead of silently falling back

const T = 16; // sequence length (any length works at call time)
const H = 4; // heads
const D = 8; // head dim
const WIDTH = H * D;

// x [batch, T, 32] → per-head Q, K, V projections → SAS → one number per step.
const x = tfl.input({ shape: [null, WIDTH], name: 'x' });
const [q, k, v] = ['q', 'k', 'v'].map((name) => tfl.layers.dense({ units: WIDTH, name: `proj_${name}` }).apply(x));
const attended = new SASAttention({ heads: H, headDim: D, simHeads: 2 * H, simHeadDim: 2 * D, kernelSize: 3, causal: true, name: 'sas' }).apply([q, k, v]);
const y = tfl.layers.dense({ units: 1, name: 'readout' }).apply(attended);
const model = tfl.model({ inputs: x, outputs: y });
model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });

// A causal toy task: at each step, the running mean of feature 0 so far.
const inputs = tf.randomNormal([64, T, WIDTH], 0, 1, 'float32', 1);
const feature0 = tf.slice(inputs, [0, 0, 0], [64, T, 1]);
const target = tf.div(tf.cumsum(feature0, 1), tf.reshape(tf.range(1, T + 1), [1, T, 1]));

const history = await model.fit(inputs, target, { epochs: 12, batchSize: 16, verbose: 0 });
const losses = history.history.loss.map((l) => Number(l).toFixed(4));
console.log(`backend ${tf.getBackend()}, ${model.countParams()} parameters`);
console.log(`training loss by epoch: ${losses.join(' → ')}`);

// Save to memory and load back: same outputs, even for another length.
let artifacts;
await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
const reloaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
const probe = tf.randomNormal([2, 5, WIDTH], 0, 1, 'float32', 2);
const before = model.predict(probe).dataSync();
const after = reloaded.predict(probe).dataSync();
console.log(`reloaded model reproduces the outputs: ${before.every((value, i) => value === after[i])}`);

// The SAS weights under the SAS authors' names (what loadAuthorsWeights reads).
const sas = model.getLayer('sas');
console.log(`SAS weights: ${Object.keys(sas.authorsWeights()).slice(0, 4).join(', ')}, …`);
