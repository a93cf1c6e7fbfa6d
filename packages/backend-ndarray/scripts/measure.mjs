// Measures the ndarray backend on one layer forward (median of N timed runs
// after warm-up). Build first: pnpm exec tsc -b packages/backend-ndarray
//
//   node packages/backend-ndarray/scripts/measure.mjs [--shape B,T,H,D,H',D'] [--kind sas|mha]
//        [--bidirectional] [--runs N] [--profile] [--dtype float32|float64] [--backward] [--no-simd] [--threads N]
import { buildLayer, estimateFlops, grad, initParams, layerParams, randomNormal, withCotangentLoss } from '@sas/core';
import { createNdarrayBackend } from '../dist/index.js';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const [B, T, H, D, Hs, Ds] = option('--shape', '1,512,12,64,24,128').split(',').map(Number);
const kind = option('--kind', 'sas');
const dtype = option('--dtype', 'float32');
const runs = Number(option('--runs', '7'));
const config =
  kind === 'sas'
    ? { kind, batch: B, seqLen: T, heads: H, headDim: D, simHeads: Hs, simHeadDim: Ds, kernelSize: 3, causal: !flag('--bidirectional') }
    : { kind, batch: B, seqLen: T, heads: H, headDim: D, kvHeads: kind === 'mqa' ? 1 : H, causal: !flag('--bidirectional') };

let graph = buildLayer(config, { dtype });
const feeds = {
  query: randomNormal([B, T, H, D], 1, dtype),
  key: randomNormal([B, T, config.kvHeads ?? H, D], 2, dtype),
  value: randomNormal([B, T, config.kvHeads ?? H, D], 3, dtype),
  ...initParams(config, 4, dtype),
};
let outputs = ['output'];
if (flag('--backward')) {
  graph = grad(withCotangentLoss(graph, 'output'), 'loss', { wrt: ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)] });
  feeds.cotangent = randomNormal([B, T, H * D], 5, dtype);
  outputs = Object.keys(graph.outputs).filter((n) => n.startsWith('grad.'));
}

// --profile: per-op wall time through the backend's onKernel hook.
const perOp = new Map();
const onKernel = (op, ms) => {
  const s = perOp.get(op) ?? { ms: 0, calls: 0 };
  s.ms += ms;
  s.calls++;
  perOp.set(op, s);
};
const threadsOpt = option('--threads', undefined);
const backend = createNdarrayBackend({
  threads: threadsOpt === undefined ? undefined : Number(threadsOpt),
  simd: flag('--no-simd') ? false : undefined,
  onKernel: flag('--profile') ? onKernel : undefined,
});

// Wall time, and this process's CPU time (user + system): on a shared machine
// the CPU time is the better estimate of the uncontended single-thread time.
const times = [];
const cpu = [];
for (let i = 0; i < runs + 2; i++) {
  if (i === 2) perOp.clear();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await backend.run(graph, feeds, { outputs });
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  if (i >= 2) {
    times.push(t1 - t0);
    cpu.push((c1.user + c1.system) / 1000);
  }
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
const cpuMedian = cpu[Math.floor(cpu.length / 2)];
const { loadavg, cpus } = await import('node:os');
const flops = estimateFlops(config);
console.log(
  JSON.stringify({
    gemm: backend.gemm,
    threads: backend.threads,
    kind,
    shape: [B, T, H, D, Hs, Ds],
    causal: config.causal,
    dtype,
    backward: flag('--backward'),
    runs,
    medianMs: +median.toFixed(1),
    minMs: +times[0].toFixed(1),
    maxMs: +times[times.length - 1].toFixed(1),
    cpuMedianMs: +cpuMedian.toFixed(1),
    loadavg1: +loadavg()[0].toFixed(2),
    cores: cpus().length,
    flops: flops.total,
  }),
);
await backend.dispose();
if (flag('--profile')) {
  for (const [op, s] of [...perOp].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`${op.padEnd(12)} ${(s.ms / runs).toFixed(1).padStart(8)} ms/run  ${s.calls / runs} calls/run`);
}
