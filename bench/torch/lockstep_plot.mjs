// Plots a lockstep comparison (bench/torch/README.md, "lockstep"): how far the
// library's training loss and the twin's drift apart, step by step, when both
// train from the same init on the same batches.
//
//   node bench/torch/lockstep_plot.mjs OURS.jsonl TWIN32.jsonl [TWIN64.jsonl] OUT.svg
//
// OURS.jsonl: a `sas train --log` file written with --eval-every 1 (so each
// line's trainLoss is one update's loss); TWIN*.jsonl: mqar_lockstep.py output
// (its final line holds every update's loss). Draws |ours − twin32| and, with a
// float64 twin, |ours − twin64| and |twin32 − twin64| against the update, on a
// log scale (a difference of 0 is drawn at 1e-8, below float32's resolution of
// a loss near 4). Rendered with @sas/studies' Vega-Lite renderer; needs pnpm build.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliRequire = createRequire(join(root, 'apps', 'cli', 'package.json'));
const { renderSvg } = await import(pathToFileURL(cliRequire.resolve('@sas/studies')).href);

const args = process.argv.slice(2);
if (args.length < 3 || args.length > 4) {
  process.stderr.write('usage: lockstep_plot.mjs OURS.jsonl TWIN32.jsonl [TWIN64.jsonl] OUT.svg\n');
  process.exit(2);
}
const out = args.pop();
const [oursPath, twin32Path, twin64Path] = args;
const lines = (path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const ours = lines(oursPath).filter((l) => typeof l.trainLoss === 'number' && !l.final);
ours.forEach((l, i) => {
  if (l.step !== i + 1) {
    process.stderr.write(`lockstep_plot: ${oursPath} line ${i + 1} is step ${l.step}: write it with --eval-every 1\n`);
    process.exit(2);
  }
});
const lossesOf = (path) => {
  const last = lines(path).at(-1);
  if (!last?.final || !Array.isArray(last.losses)) {
    process.stderr.write(`lockstep_plot: ${path} has no final line with per-update losses (mqar_lockstep.py output?)\n`);
    process.exit(2);
  }
  return last.losses;
};
const twin32 = lossesOf(twin32Path);
const twin64 = twin64Path ? lossesOf(twin64Path) : null;

const FLOOR = 1e-8;
const values = [];
const add = (pair, a, b) => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) values.push({ update: i + 1, pair, difference: Math.max(FLOOR, Math.abs(a[i] - b[i])) });
};
const oursLosses = ours.map((l) => l.trainLoss);
add('|ours − twin| (both float32)', oursLosses, twin32);
if (twin64) {
  add('|ours − twin float64|', oursLosses, twin64);
  add('|twin − twin float64|', twin32, twin64);
}

const svg = await renderSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 560,
  height: 300,
  title: 'Training loss, library vs PyTorch twin, same init and batches',
  data: { values },
  mark: { type: 'line', strokeWidth: 1.2 },
  encoding: {
    x: { field: 'update', type: 'quantitative', title: 'update' },
    y: { field: 'difference', type: 'quantitative', scale: { type: 'log' }, title: 'absolute difference of the training loss' },
    color: { field: 'pair', type: 'nominal', title: null, legend: { orient: 'top-left', labelLimit: 320 } },
  },
});
writeFileSync(`${out}.part`, svg);
renameSync(`${out}.part`, out);
process.stdout.write(`${out}: ${values.length} points\n`);
