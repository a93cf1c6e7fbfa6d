// Profiles one char GPT training step (Trainer.step: forward, backward,
// clipping, AdamW as one graph) on the ndarray backend: tokens/s, and with
// --profile the wall time per (fused) kernel and the host overhead (wall
// time outside kernels). Build first: pnpm exec tsc -b packages/backend-ndarray
//
//   node packages/backend-ndarray/scripts/train-profile.mjs [--attention sas|mha] [--steps N] [--warmup N]
//        [--batch 16] [--seq-len 128] [--threads N] [--profile] [--top 30]
import { buildModel, frozenParams, initModel, Trainer } from '@sas/core';
import { createNdarrayBackend } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const kind = option('--attention', 'sas');
const batch = Number(option('--batch', '16'));
const seqLen = Number(option('--seq-len', '128'));
const steps = Number(option('--steps', '5'));
const warmup = Number(option('--warmup', '2'));
const config = {
  vocab: 84,
  width: 128,
  layers: 2,
  heads: 4,
  maxSeqLen: seqLen,
  attention: kind === 'sas' ? { kind: 'sas', simHeads: 8, simHeadDim: 64, kernelSize: 3 } : { kind: 'mha' },
};
const perOp = new Map();
let kernelMs = 0;
const onKernel = (op, ms) => {
  const s = perOp.get(op) ?? { ms: 0, calls: 0 };
  s.ms += ms;
  s.calls++;
  kernelMs += ms;
  perOp.set(op, s);
};
const threads = option('--threads', undefined);
const backend = createNdarrayBackend({ threads: threads === undefined ? undefined : Number(threads), onKernel: flag('--profile') ? onKernel : undefined });
const graph = buildModel(config, { batch, seqLen });
const trainer = new Trainer(
  backend,
  graph,
  'loss',
  initModel(config, 1),
  { kind: 'adamw', lr: 1e-3, weightDecay: 0.01, clipNorm: 1 },
  { frozen: frozenParams(config) },
);
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
const ids = { dtype: 'float32', shape: [batch, seqLen], data: Float32Array.from({ length: batch * seqLen }, () => Math.floor(rand() * 84)) };
const targets = { dtype: 'float32', shape: [batch, seqLen], data: Float32Array.from({ length: batch * seqLen }, () => Math.floor(rand() * 84)) };
const times = [];
const cpu = [];
const losses = [];
for (let i = 0; i < warmup + steps; i++) {
  if (i === warmup) {
    perOp.clear();
    kernelMs = 0;
  }
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  losses.push(await trainer.step({ ids, targets }));
  if (i >= warmup) {
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
}
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const cpuMedian = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)];
const { loadavg } = await import('node:os');
const nodes = trainer.stepGraph.nodes.length;
console.log(
  JSON.stringify({
    attention: kind,
    threads: backend.threads,
    nodes,
    medianMs: +median.toFixed(1),
    minMs: +sorted[0].toFixed(1),
    cpuMedianMs: +cpuMedian.toFixed(1),
    tokensPerSecond: Math.round((batch * seqLen * 1000) / median),
    losses: losses.map((l) => +l.toFixed(4)),
    load: loadavg().map((l) => +l.toFixed(2)),
  }),
);
if (flag('--profile')) {
  const total = times.reduce((a, b) => a + b, 0);
  console.log(
    `kernels ${(kernelMs / steps).toFixed(1)} ms/step of ${(total / steps).toFixed(1)} (host outside kernels ${((total - kernelMs) / steps).toFixed(1)})`,
  );
  const top = Number(option('--top', '40'));
  for (const [op, s] of [...perOp].sort((a, b) => b[1].ms - a[1].ms).slice(0, top))
    console.log(`${op.padEnd(28)} ${(s.ms / steps).toFixed(2).padStart(9)} ms ${String(s.calls / steps).padStart(6)} calls`);
}
await backend.dispose();
