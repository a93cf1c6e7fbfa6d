// Training step speed of the char GPT (MODEL.md) in ONNX Runtime, the numbers
// in docs/onnx.md: width 128, 2 layers, 4 heads, T = 128, batch 16, vocab 84;
// SAS (H' = 8, D' = 64, k = 3) and MHA; AdamW with clipping, one training-step
// graph per step exported and run through the `onnx` backend. 'native' is the
// export as it is (the model's ops as ONNX operators); 'decomposed' lowers
// every composite to core's primitives first, as the export did before. Runs
// against the built packages:
//   pnpm exec tsc -b && node packages/onnx/bench/train-step.mjs [steps] [sas|mha|both] [native|decomposed|both] [float32|float64] [threads]
// threads: ONNX Runtime's intra-op threads (default: its own choice, one per core).
import { buildModel, initModel, lowerGraph, OP_NAMES, tensor, Trainer } from '@sas/core';
import { createOnnxBackend } from '@sas/onnx';

const steps = Number(process.argv[2] ?? 5);
const kinds = (process.argv[3] ?? 'both') === 'both' ? ['sas', 'mha'] : [process.argv[3]];
const forms = (process.argv[4] ?? 'both') === 'both' ? ['native', 'decomposed'] : [process.argv[4]];
const dtype = process.argv[5] ?? 'float32';
const threads = process.argv[6] === undefined ? undefined : Number(process.argv[6]);
const [B, T, V] = [16, 128, 84];

const ATTENTION = { sas: { kind: 'sas', simHeads: 8, simHeadDim: 64, kernelSize: 3 }, mha: { kind: 'mha' } };
const config = (kind) => ({ vocab: V, width: 128, layers: 2, heads: 4, maxSeqLen: T, attention: ATTENTION[kind] });

/** Deterministic ids in [0, V): the batch is data, its values do not change the work. */
function batch(seed) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648) % V;
  const ids = Array.from({ length: B * T }, next);
  const targets = ids.map((_, i) => (i % T === T - 1 ? next() : ids[i + 1]));
  return { ids: tensor(ids, [B, T], dtype), targets: tensor(targets, [B, T], dtype) };
}

/** The backend with every graph lowered to primitives before it is exported (lowered once per graph). */
function decomposing(backend) {
  const lowered = new WeakMap();
  const lower = (g) => {
    if (!lowered.has(g))
      lowered.set(
        g,
        lowerGraph(g, (op) => OP_NAMES.includes(op), 'decomposed'),
      );
    return lowered.get(g);
  };
  return { ...backend, run: (g, feeds, options) => backend.run(lower(g), feeds, options) };
}

const ms = (t) => t.toFixed(0).padStart(5);
console.log(
  `char GPT training steps on ONNX Runtime (onnx backend, ${dtype}, ${threads ?? 'default'} intra-op threads): B=${B}, T=${T}, width 128, 2 layers, 4 heads, vocab ${V}`,
);
console.log(`${steps} timed steps per form after one warm-up step, the forms' steps alternating so that they share the machine's load`);
for (const kind of kinds) {
  const runs = [];
  for (const form of forms) {
    const onnx = await createOnnxBackend(threads === undefined ? {} : { sessionOptions: { intraOpNumThreads: threads } });
    const backend = form === 'native' ? onnx : decomposing(onnx);
    const graph = buildModel(config(kind), { batch: B, seqLen: T, dtype });
    const trainer = new Trainer(backend, graph, 'loss', initModel(config(kind), 1, { dtype }), { kind: 'adamw', lr: 1e-3, weightDecay: 0.1, clipNorm: 1 });
    const start = performance.now();
    const loss0 = await trainer.step(batch(7)); // exports the step graph and creates the session
    runs.push({ form, onnx, trainer, first: performance.now() - start, loss0, loss: loss0, times: [] });
  }
  for (let i = 0; i < steps; i++) {
    for (const run of runs) {
      const start = performance.now();
      run.loss = await run.trainer.step(batch(7));
      run.times.push(performance.now() - start);
    }
  }
  for (const { form, onnx, first, loss0, loss, times } of runs) {
    await onnx.dispose();
    times.sort((a, b) => a - b);
    const [min, median] = [times[0], times[steps >> 1]];
    console.log(
      `  ${kind.padEnd(4)} ${form.padEnd(10)} step min ${ms(min)} ms (${((B * T) / (min / 1000)).toFixed(0).padStart(5)} tokens/s)  median ${ms(median)} ms (${((B * T) / (median / 1000)).toFixed(0).padStart(5)} tokens/s)  ` +
        `first step ${(first / 1000).toFixed(1)} s  loss ${loss0.toFixed(3)} → ${loss.toFixed(3)}`,
    );
  }
}
