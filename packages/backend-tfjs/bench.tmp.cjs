const path = require('path');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const wasm = require('@tensorflow/tfjs-backend-wasm');
function time(name, f, n = 5) {
  tf.tidy(() => { const r = f(); r.dataSync(); });
  const ts = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); tf.tidy(() => { const r = f(); r.dataSync(); }); ts.push(performance.now() - t); }
  ts.sort((a, b) => a - b); console.log(name, ts[n >> 1].toFixed(1), 'ms');
}
(async () => {
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
  await tf.setBackend(process.argv[2] || 'wasm');
  console.log(tf.getBackend());
  const N = 512, C = 24, L = 64, O = 24, k = 3, pad = 1;
  const x = tf.randomNormal([N, C, L]); const w = tf.randomNormal([O, C, k]);
  const viaConv = () => tf.transpose(tf.conv1d(tf.pad(tf.transpose(x, [0, 2, 1]), [[0,0],[pad,pad],[0,0]]), tf.transpose(w, [2, 1, 0]), 1, 'valid'), [0, 2, 1]);
  const viaIm2col = () => {
    const xp = tf.pad(x, [[0, 0], [0, 0], [pad, pad]]);
    const cols = tf.stack(Array.from({ length: k }, (_, t) => tf.slice(xp, [0, 0, t], [N, C, L])), 2); // [N,C,k,L]
    const colsT = tf.reshape(tf.transpose(cols, [1, 2, 0, 3]), [C * k, N * L]);
    const y = tf.matMul(tf.reshape(w, [O, C * k]), colsT); // [O, N*L]
    return tf.transpose(tf.reshape(y, [O, N, L]), [1, 0, 2]);
  };
  const viaShiftSum = () => {
    // y = Σ_t W_t [O,C] · shift_t(x): as batched matmul with broadcast W.
    const xp = tf.pad(x, [[0, 0], [0, 0], [pad, pad]]);
    let acc = null;
    for (let t = 0; t < k; t++) {
      const xs = tf.slice(xp, [0, 0, t], [N, C, L]); // [N,C,L]
      const xt = tf.reshape(tf.transpose(xs, [1, 0, 2]), [C, N * L]);
      const yt = tf.matMul(tf.reshape(tf.slice(w, [0, 0, t], [O, C, 1]), [O, C]), xt);
      acc = acc ? tf.add(acc, yt) : yt;
    }
    return tf.transpose(tf.reshape(acc, [O, N, L]), [1, 0, 2]);
  };
  const a = viaConv(), b = viaIm2col(), c = viaShiftSum();
  console.log('diff', tf.max(tf.abs(tf.sub(a, b))).dataSync()[0], tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]);
  time('conv1d NWC', viaConv); time('im2col', viaIm2col); time('shiftsum', viaShiftSum);
  const xn = tf.transpose(x, [0, 2, 1]); const wn = tf.transpose(w, [2, 1, 0]);
  time('conv1d only', () => tf.conv1d(xn, wn, 1, 'same'));
  time('transpose only', () => tf.transpose(x, [0, 2, 1]));
  // attention
  const B = 1, Hs = 24, T = 512, Ds = 128, D = 64;
  const q = tf.randomNormal([B, Hs, T, Ds]), kk = tf.randomNormal([B, Hs, T, Ds]), v = tf.randomNormal([B, Hs, T, D]);
  time('scores', () => tf.matMul(q, kk, false, true));
  const s = tf.matMul(q, kk, false, true);
  const row = tf.reshape(tf.range(0, T, 1, 'int32'), [T, 1]), col = tf.reshape(tf.range(0, T, 1, 'int32'), [1, T]);
  time('mask build', () => tf.lessEqual(col, row));
  const mask = tf.lessEqual(col, row);
  time('where bcast', () => tf.where(mask, s, tf.scalar(-Infinity)));
  time('where full', () => tf.where(tf.broadcastTo(mask, s.shape), s, tf.fill(s.shape, -Infinity)));
  const addMask = tf.where(mask, tf.scalar(0), tf.scalar(-Infinity));
  time('add mask', () => tf.add(s, addMask));
  time('bandPart', () => tf.linalg.bandPart(s, -1, 0));
  time('softmax', () => tf.softmax(s));
  const p = tf.softmax(s);
  time('pv', () => tf.matMul(p, v));
  time('mul scale', () => tf.mul(s, 0.1));
  const g = tf.randomNormal([B * T * 2, 768]); const W = tf.randomNormal([768, 768]);
  time('peaa', () => tf.matMul(g, W, false, true));
  const y = tf.randomNormal([B*T*Hs, 64]); const L0 = tf.randomNormal([128, 64]);
  time('feat', () => tf.matMul(y, L0, false, true));
  const y4 = tf.randomNormal([B*T, Hs, 64]);
  time('feat batched bcast', () => tf.matMul(y4, L0, false, true));
})();
