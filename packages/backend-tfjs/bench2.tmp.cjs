const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm');
function time(name, f, n = 3) {
  tf.tidy(() => { const r = f(); r.dataSync(); });
  const ts = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); tf.tidy(() => { const r = f(); r.dataSync(); }); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b); console.log(name, ts[n >> 1].toFixed(1), 'ms');
}
(async () => {
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  await tf.setBackend(process.argv[2] || 'wasm');
  const a = tf.randomNormal([512,512]), b = tf.randomNormal([512,512]);
  time('512 nn', () => tf.matMul(a, b));
  time('512 nt', () => tf.matMul(a, b, false, true));
  time('512 tn', () => tf.matMul(a, b, true, false));
  time('512 tt', () => tf.matMul(a, b, true, true));
  const g = tf.randomNormal([1024, 768]); const W = tf.randomNormal([768, 768]);
  time('peaa nt', () => tf.matMul(g, W, false, true));
  time('peaa nn', () => tf.matMul(g, W));
  time('peaa transpose+nn', () => tf.matMul(g, tf.transpose(W)));
  const q = tf.randomNormal([24, 512, 128]), k = tf.randomNormal([24, 512, 128]), kt = tf.randomNormal([24, 128, 512]);
  time('scores nt', () => tf.matMul(q, k, false, true));
  time('scores nn', () => tf.matMul(q, kt));
  time('scores T+nn', () => tf.matMul(q, tf.transpose(k, [0, 2, 1])));
  const q1 = tf.randomNormal([512, 128]), k1 = tf.randomNormal([128, 512]);
  time('one head nn', () => tf.matMul(q1, k1));
  const p = tf.randomNormal([24, 512, 512]), v = tf.randomNormal([24, 512, 64]);
  time('pv nn', () => tf.matMul(p, v));
  const s = tf.randomNormal([24, 512, 512]);
  const row = tf.reshape(tf.range(0, 512, 1, 'int32'), [512, 1]), col = tf.reshape(tf.range(0, 512, 1, 'int32'), [1, 512]);
  time('mask build', () => tf.lessEqual(col, row));
  time('mask build f', () => tf.where(tf.lessEqual(col, row), tf.scalar(0), tf.scalar(-Infinity)));
  const m = tf.where(tf.lessEqual(col, row), tf.scalar(0), tf.scalar(-Infinity));
  time('add mask', () => tf.add(s, m));
  time('add', () => tf.add(s, s));
  time('max', () => tf.max(s, -1, true));
})();
