// Writes what one run of the library's experiment trains on, for the twin to
// train on the very same numbers (mqar_lockstep.py): the initial params, the
// first STEPS training batches, the learning rate of every step and the
// evaluation set, exactly as `sas train` (and so `sas experiment`) builds them.
//
// The independent twin (mqar_twin.py) draws its own init and data, so a
// single seed can only be compared in outcome; on shared numbers the two
// implementations must track each other step by step, up to float32 rounding.
//
//   node bench/torch/lockstep_export.mjs SPEC.json RUN SEED STEPS OUT.safetensors
//   e.g. node bench/torch/lockstep_export.mjs experiments/mqar.json sas-identity 1 900 /tmp/lockstep.safetensors
//
// Needs the monorepo built (pnpm build): it imports apps/cli's dist modules.
// OUT holds `param.<MODEL.md name>` (F32), `train.ids` / `train.targets`
// [STEPS, batch, seqLen] and `eval.ids` / `eval.targets` [n, seqLen] (F32:
// small integers and -100, exact), `lr` [STEPS] (F64), and in its metadata
// the run's options and model config as JSON. Written to OUT.part, then renamed.
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (path) => import(pathToFileURL(join(root, 'apps', 'cli', 'dist', path)).href);
const cliRequire = createRequire(join(root, 'apps', 'cli', 'package.json'));

function fail(message) {
  process.stderr.write(`lockstep_export: ${message}\n`);
  process.exit(2);
}

const [specPath, runName, seedText, stepsText, outPath] = process.argv.slice(2);
if (!outPath) fail('usage: lockstep_export.mjs SPEC.json RUN SEED STEPS OUT.safetensors');
const seed = Number(seedText);
const steps = Number(stepsText);
if (!Number.isInteger(seed) || seed < 0) fail(`SEED: expected a non-negative integer, got '${seedText}'`);
if (!Number.isInteger(steps) || steps < 1) fail(`STEPS: expected a positive integer, got '${stepsText}'`);

const core = await import(pathToFileURL(cliRequire.resolve('@sas/core')).href);
const { loadExperimentSpec } = await cli('experiment/spec.js');
const { taskData } = await cli('train/data.js');
const { modelConfig, scheduleOf } = await cli('train/model.js');

let spec;
try {
  spec = loadExperimentSpec(specPath);
} catch (e) {
  fail(e.message);
}
const kind = spec.runs.find((r) => r.name === runName);
if (!kind) fail(`RUN: '${runName}' is not a run of ${specPath} (its runs: ${spec.runs.map((r) => r.name).join(', ')})`);
const run = { ...kind.options, seed };
if (steps > run.steps) fail(`STEPS: ${steps} is more than the run's ${run.steps} steps`);

const data = taskData(run);
const config = modelConfig(run, data.vocab);
const tensors = {};
for (const [name, t] of Object.entries(core.initModel(config, seed, { init: run.init, dtype: 'float32' }))) tensors[`param.${name}`] = t;

const { batch, seqLen } = run;
const ids = new Float32Array(steps * batch * seqLen);
const targets = new Float32Array(steps * batch * seqLen);
for (let s = 0; s < steps; s++) {
  const b = data.next();
  ids.set(b.ids, s * batch * seqLen);
  targets.set(b.targets, s * batch * seqLen);
}
tensors['train.ids'] = { dtype: 'float32', shape: [steps, batch, seqLen], data: ids };
tensors['train.targets'] = { dtype: 'float32', shape: [steps, batch, seqLen], data: targets };

const rows = data.evaluation.reduce((n, b) => n + b.batch, 0);
const evalIds = new Float32Array(rows * seqLen);
const evalTargets = new Float32Array(rows * seqLen);
let at = 0;
for (const b of data.evaluation) {
  evalIds.set(b.ids, at);
  evalTargets.set(b.targets, at);
  at += b.ids.length;
}
tensors['eval.ids'] = { dtype: 'float32', shape: [rows, seqLen], data: evalIds };
tensors['eval.targets'] = { dtype: 'float32', shape: [rows, seqLen], data: evalTargets };

const lrOf = scheduleOf(run);
tensors.lr = { dtype: 'float64', shape: [steps], data: Float64Array.from({ length: steps }, (_, s) => lrOf(s + 1)) };

const metadata = { run: runName, seed: String(seed), options: JSON.stringify(run), config: JSON.stringify(config) };
writeFileSync(`${outPath}.part`, core.serializeSafetensors(tensors, { metadata }));
renameSync(`${outPath}.part`, outPath);
process.stdout.write(`${outPath}: ${runName} seed ${seed}, ${steps} steps of ${batch}×${seqLen}, ${rows} evaluation sequences\n`);
