// The measurements behind the lowering choices of docs/backends/tfjs.md: each
// line times one formulation of the same computation on a tfjs backend.
//   pnpm exec tsc -b packages/backend-tfjs && node packages/backend-tfjs/bench/op-choices.mjs [wasm|cpu]
import * as tf from '@tensorflow/tfjs-core';
import { activateTfjsMode, causalMask, conv1dForward, matMulForward } from '@sas/backend-tfjs';

const mode = process.argv[2] ?? 'wasm';
await activateTfjsMode(mode);

function time(label, fn, runs = 5) {
  const once = () => tf.tidy(() => tf.sum(fn()).dataSync()); // the sum keeps read-back cost out of the comparison
  once();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    once();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(58)} ${times[runs >> 1].toFixed(1).padStart(7)} ms`);
}

const r = (shape, seed) => tf.randomNormal(shape, 0, 1, 'float32', seed);

console.log(`matmul 512×512×512 (${mode})`);
const [a, b] = [r([512, 512], 1), r([512, 512], 2)];
time('tf.matMul(a, b)', () => tf.matMul(a, b));
time('tf.matMul(a, b, false, true)', () => tf.matMul(a, b, false, true));
time('tf.matMul(a, tf.transpose(b))', () => tf.matMul(a, tf.transpose(b)));

console.log('attention scores: 24 heads of [512×128]·[128×512]');
const [q, k] = [r([24, 512, 128], 3), r([24, 512, 128], 4)];
time('tf.matMul(q, k, false, true), batched', () => tf.matMul(q, k, false, true));
time('matMulForward (per-matrix GEMMs on wasm)', () => matMulForward(q, k, false, true));
time('as one depthwiseConv2d (batch as channels)', () => {
  const x = tf.reshape(tf.transpose(q, [1, 2, 0]), [1, 512, 128, 24]);
  const f = tf.reshape(tf.transpose(k, [2, 0, 1]), [1, 128, 24, 512]);
  return tf.transpose(tf.reshape(tf.depthwiseConv2d(x, f, 1, 'valid'), [512, 24, 512]), [1, 0, 2]);
});

console.log('shared weight: [12288×128]·[128×128]ᵀ (feature maps)');
const [y, w] = [r([512, 24, 128], 5), r([128, 128], 6)];
time('tf.matMul(y3d, w, false, true), batch broadcast', () => tf.matMul(y, w, false, true));
time('matMulForward (folded to one 2-d GEMM)', () => matMulForward(y, w, false, true));

console.log('head conv: x [512,24,64] ⋆ w [24,24,3], pad 1');
const [x, wc] = [r([512, 24, 64], 7), r([24, 24, 3], 8)];
time('conv1dForward (channels-last tf.conv1d on a padded input)', () => conv1dForward(x, wc, 1));
time('im2col: pad, stack 3 slices, one matMul', () => {
  const xp = tf.pad(x, [
    [0, 0],
    [0, 0],
    [1, 1],
  ]);
  const cols = tf.stack(
    [0, 1, 2].map((t) => tf.slice(xp, [0, 0, t], [512, 24, 64])),
    2,
  );
  const y2 = tf.matMul(tf.reshape(wc, [24, 72]), tf.reshape(tf.transpose(cols, [1, 2, 0, 3]), [72, 512 * 64]));
  return tf.transpose(tf.reshape(y2, [24, 512, 64]), [1, 0, 2]);
});

console.log('causal mask on scores [1,24,512,512]');
const s = r([1, 24, 512, 512], 9);
time('causalMask (full-shape host condition, tf.where)', () => causalMask(s, -Infinity));
time('tf.where with a broadcast [512,512] band', () => tf.where(tf.cast(tf.linalg.bandPart(tf.ones([512, 512]), -1, 0), 'bool'), s, tf.scalar(-Infinity)));
time('tf.linalg.bandPart (zero fill only)', () => tf.linalg.bandPart(s, -1, 0));
