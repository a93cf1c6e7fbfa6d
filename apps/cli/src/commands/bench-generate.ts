import os from 'node:os';
import { loadGenerationFixtures, readLanguageModelFile, writeFileAtomic } from '@sas/conformance';
import { validateConfig, type SASConfig } from '@sas/core';
import { parseFlags, parseIntList, parsePositiveInt } from '../args.js';
import { checkMode, loadBackendProvider } from '../backends.js';
import type { Command } from '../command.js';
import { benchLayerDecoding, benchModelDecoding, growthExponent, type PositionRow } from '../generate/bench.js';

/** The paper-head SAS layer of the benchmark (B=1, H=12, D=64, H'=24, D'=128, k=3). */
const PAPER_HEAD: SASConfig = validateConfig({
  kind: 'sas',
  batch: 1,
  seqLen: 1,
  heads: 12,
  headDim: 64,
  simHeads: 24,
  simHeadDim: 128,
  kernelSize: 3,
  causal: true,
}) as SASConfig;

function table(title: string, rows: readonly PositionRow[]): string {
  const lines = [
    title,
    `${'position'.padStart(8)} ${'capacity'.padStart(8)} ${'cached ms'.padStart(10)} ${'tok/s'.padStart(8)} ${'recomputed ms'.padStart(14)} ${'tok/s'.padStart(8)} ${'speed-up'.padStart(9)}`,
    ...rows.map(
      (r) =>
        `${String(r.position).padStart(8)} ${String(r.capacity).padStart(8)} ${r.cached.medianMs.toFixed(2).padStart(10)} ${r.cachedTokensPerSecond.toFixed(1).padStart(8)} ` +
        `${r.recomputed.medianMs.toFixed(2).padStart(14)} ${r.recomputedTokensPerSecond.toFixed(1).padStart(8)} ${`${r.speedup.toFixed(r.speedup < 10 ? 1 : 0)}×`.padStart(9)}`,
    ),
    `growth from position ${rows[0].position} to ${rows[rows.length - 1].position}: cached ∝ T^${growthExponent(rows, (r) => r.cached.medianMs).toFixed(2)}, recomputed ∝ T^${growthExponent(rows, (r) => r.recomputed.medianMs).toFixed(2)}`,
  ];
  return lines.join('\n');
}

export const benchGenerateCommand: Command = {
  name: 'bench-generate',
  summary: 'time cached against recomputed decoding per position (char GPT and the paper-head SAS layer)',
  usage: `sas bench-generate [--backends ndarray,onnx] [--model-positions 16,32,64,127]
                   [--layer-positions 127,128,255,511,1023,1024,2047] [--runs N] [--warmup N]
                   [--out FILE] [--force] [--json]

For each backend and position p: the median time of one cached decoding step
(the step graph of p's cache capacity bucket, reading p cached rows) and of
recomputing the token (the full forward pass over p + 1 tokens), timed
alternately (at least --runs rounds, more while under a second), as ms and
tokens/s, for the bundled char GPT (gen-sas-brown, maxSeqLen 128) and for the
paper-head SAS layer (B=1, H=12, D=64, H'=24, D'=128, k=3; capacities up to
2048). Prints tables and how each cost grows with T; --out writes the JSON
report (an existing file is kept unless --force). Defaults: --runs 5, --warmup 2.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        backends: 'string',
        'model-positions': 'string',
        'layer-positions': 'string',
        runs: 'string',
        warmup: 'string',
        out: 'string',
        force: 'boolean',
        json: 'boolean',
        verbose: 'boolean',
      },
      'bench-generate',
    );
    const names = ((flags.backends as string | undefined) ?? 'ndarray,onnx').split(',');
    const positions = (flag: string, fallback: string) => parseIntList((flags[flag] as string | undefined) ?? fallback, flag).map((p) => p);
    const modelPositions = positions('model-positions', '16,32,64,127');
    const layerPositions = positions('layer-positions', '127,128,255,511,1023,1024,2047');
    const runs = parsePositiveInt(flags.runs, 'runs', 5);
    const warmup = flags.warmup === '0' ? 0 : parsePositiveInt(flags.warmup, 'warmup', 2);
    const [fixture] = loadGenerationFixtures();
    const model = readLanguageModelFile(fixture.path);
    const layerMax = Math.max(2048, ...layerPositions.map((p) => p + 1));
    const loadBefore = os.loadavg();
    const results = [];
    for (const name of names) {
      const provider = await loadBackendProvider(name);
      const backend = await provider.create({ mode: checkMode(provider, undefined) });
      try {
        const modelRows = await benchModelDecoding(backend, model, modelPositions, { runs, warmup });
        if (!flags.json)
          process.stdout.write(`${table(`${backend.name} (${backend.mode}, ${backend.dtypes[0]}): ${fixture.name}, per new token`, modelRows)}\n\n`);
        const layerRows = await benchLayerDecoding(backend, PAPER_HEAD, layerPositions, layerMax, { runs, warmup });
        if (!flags.json)
          process.stdout.write(`${table(`${backend.name} (${backend.mode}, ${backend.dtypes[0]}): paper-head SAS layer, per new token`, layerRows)}\n\n`);
        results.push({
          backend: backend.name,
          mode: backend.mode,
          dtype: backend.dtypes[0],
          model: { name: fixture.name, config: model.config, rows: modelRows },
          layer: { config: PAPER_HEAD, maxSeqLen: layerMax, rows: layerRows },
        });
      } finally {
        await backend.dispose();
      }
    }
    const report = {
      command: `sas bench-generate ${argv.join(' ')}`.trim(),
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadBefore, loadAfter: os.loadavg() },
      runs,
      warmup,
      results,
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (typeof flags.out === 'string') writeFileAtomic(flags.out, `${JSON.stringify(report, null, 2)}\n`, { force: flags.force === true });
    return 0;
  },
};
