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
  const T = 512, S=[24,T,T];
  const s = tf.randomNormal(S);
  const n = 24*T*T;
  const cond = new Uint8Array(n); for (let h=0;h<24;h++) for (let i=0;i<T;i++) for(let j=0;j<=i;j++) cond[(h*T+i)*T+j]=1;
  time('upload cond', () => tf.tensor(cond, S, 'bool'));
  const c = tf.tensor(cond, S, 'bool'); const fill = tf.fill(S, -Infinity);
  time('fill', () => tf.fill(S, -Infinity));
  time('where full', () => tf.where(c, s, fill));
  const c2 = tf.tensor(cond.subarray(0, T*T), [1, T, T], 'bool');
  time('broadcastTo cond', () => tf.broadcastTo(c2, S));
  time('tile cond', () => tf.tile(c2, [24,1,1]));
  time('concat', () => tf.concat(Array(24).fill(c2), 0));
  const sf = tf.randomNormal([T,T]);
  time('where 2d', () => tf.where(tf.reshape(c2, [T,T]), sf, tf.fill([T,T], -Infinity)));
  time('unstack', () => tf.stack(tf.unstack(s)));
  time('transpose 4d', () => tf.transpose(tf.reshape(s, [1,24,T,T]), [0,2,1,3]));
  const q = tf.randomNormal([24, 512, 128]), k = tf.randomNormal([24, 512, 128]);
  time('scores loop', () => { const qs = tf.unstack(q), ks = tf.unstack(k); return tf.stack(qs.map((qi, i) => tf.matMul(qi, tf.transpose(ks[i])))); });
  time('scores loop slice', () => { const kt = tf.transpose(k, [0,2,1]); const out=[]; for (let i=0;i<24;i++) out.push(tf.matMul(tf.reshape(tf.slice(q,[i,0,0],[1,512,128]),[512,128]), tf.reshape(tf.slice(kt,[i,0,0],[1,128,512]),[128,512]))); return tf.stack(out); });
  time('scores b1 3d', () => tf.matMul(tf.slice(q,[0,0,0],[1,512,128]), tf.slice(k,[0,0,0],[1,512,128]), false, true));
  time('scores b1 3d nn', () => tf.matMul(tf.slice(q,[0,0,0],[1,512,128]), tf.transpose(tf.slice(k,[0,0,0],[1,512,128]),[0,2,1])));
  time('softmax', () => tf.softmax(s));
})();
