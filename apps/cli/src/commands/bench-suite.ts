import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkWriteTargets, writeFileAtomic } from '@sas/conformance';
import { printable, SasError } from '@sas/core';
import { MAX_RUNS, MAX_TIMEOUT_SECONDS, MAX_WARMUP, parseFlags, parseIntList, parseNonNegativeInt, parsePositiveInt } from '../args.js';
import { checkBenchCapacity } from '../bench/capacity.js';
import { configFromFlags } from '../bench/config.js';
import { paperHeadShape, runSuiteCase, type SuiteCase, type SuiteResult } from '../bench/suite.js';
import { combineRounds, runTrainCase, TRAIN_CONTENDERS, TRAIN_MODEL_FLAGS, trainTable, type TrainCase, type TrainResult } from '../bench/train-suite.js';
import type { Command } from '../command.js';

/** Backends compared by the suite, labelled as in docs/performance.md. */
const CONTENDERS: readonly { label: string; backend: string; mode?: string; threads?: number; needsDisplay?: boolean }[] = [
  { label: 'ndarray', backend: 'ndarray' },
  { label: 'ndarray-1t', backend: 'ndarray', threads: 1 },
  { label: 'tfjs-wasm', backend: 'tfjs', mode: 'wasm' },
  { label: 'gpujs-webasm', backend: 'gpujs', mode: 'webasm' },
  { label: 'gpujs-headlessgl', backend: 'gpujs', mode: 'headlessgl', needsDisplay: true },
  { label: 'onnx', backend: 'onnx' },
];

/** The machine a report was measured on, with the load average before and after (ratios are what to trust). */
function machineRecord(os: typeof import('node:os'), loadBefore: number[]) {
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: os.cpus().map((c) => c.model)[0],
    cores: os.cpus().length,
    loadBefore,
    loadAfter: os.loadavg(),
  };
}

function table(results: readonly SuiteResult[]): string {
  const lines = [
    `${'case'.padEnd(34)}${'backend'.padEnd(18)}${'median ms'.padStart(11)}${'vs ndarray'.padStart(12)}${'GFLOP/s'.padStart(9)}${'peak RSS'.padStart(10)}${'bwd/fwd'.padStart(9)}`,
  ];
  for (const r of results) {
    const name = `${r.kind} T=${r.shape.split(',')[1]} ${r.backward ? 'fwd+bwd' : 'fwd'}`;
    if (!r.ok) {
      lines.push(`${name.padEnd(34)}${r.label.padEnd(18)}  ${r.error}`);
      continue;
    }
    const base = results.find((b) => b.ok && b.label === 'ndarray' && b.kind === r.kind && b.shape === r.shape && b.backward === r.backward);
    const ms = r.result.medianMs as number;
    const ratio = base?.ok ? `${(ms / (base.result.medianMs as number)).toFixed(2)}×` : '–';
    // The backward's cost over the forward timed alternately in the same process (fwd+bwd cases).
    const bwd = typeof r.result.backwardOverForward === 'number' ? `${r.result.backwardOverForward.toFixed(2)}×` : '';
    lines.push(
      `${name.padEnd(34)}${r.label.padEnd(18)}${ms.toFixed(1).padStart(11)}${ratio.padStart(12)}${(r.result.gflopsPerSecond as number).toFixed(2).padStart(9)}${`${(r.result.peakRssMiB as number).toFixed(0)} MiB`.padStart(10)}${bwd.padStart(9)}`,
    );
  }
  return lines.join('\n');
}

export const benchSuiteCommand: Command = {
  name: 'bench-suite',
  summary: 'run the standard benchmark set on every backend and write a JSON report (pnpm bench)',
  usage: `sas bench-suite [--seq-lens 512,2048] [--kinds sas,mha] [--backends LABEL,...] [--no-backward]
                [--runs N] [--warmup N] [--timeout SECONDS] [--out FILE] [--force]
sas bench-suite --train [--kinds sas,mha] [--backends LABEL,...] [--runs N] [--warmup N] [--rounds N]
                [--torch-script FILE] [--timeout SECONDS] [--out FILE] [--force]
                [--width N --layers N --heads N --seq-len N --batch N --vocab N --sim-heads N --sim-head-dim N --kernel K]

Runs SAS and MHA at the paper-head shape (H=12, D=64, H'=24, D'=128, B=1) for
each sequence length, forward and forward+backward, on every contender
(${CONTENDERS.map((c) => c.label).join(', ')}), each case in its own process with a
time limit, and writes one JSON report (default bench-results/bench-<time>.json;
an existing file is kept unless --force). Prints medians and the ratio to ndarray.

With --train: training tokens/s of MODEL.md's char GPT at issue 13's shape
(width 128, 2 layers, 4 heads, T 128, batch 16, vocab 84; SAS H'=8, D'=64,
k=3, and MHA) on ${TRAIN_CONTENDERS.map((c) => c.label).join(', ')}:
each library backend runs 'sas bench-train', PyTorch runs
bench/torch/train_throughput.py (--torch-script) with /usr/bin/python3, each
case in its own process, --warmup untimed steps (default 2) and --runs timed
ones (default 5). --rounds N repeats the whole set N times interleaved and
keeps each contender's median round. The model flags go to both sides alike
(default: issue 13's shape). A PyTorch row without python3-torch is skipped
with the reason. Prints tokens/s and the ratio to PyTorch.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        'seq-lens': 'string',
        kinds: 'string',
        backends: 'string',
        'no-backward': 'boolean',
        runs: 'string',
        warmup: 'string',
        timeout: 'string',
        out: 'string',
        force: 'boolean',
        train: 'boolean',
        rounds: 'string',
        'torch-script': 'string',
        ...Object.fromEntries(TRAIN_MODEL_FLAGS.map((f) => [f, 'string' as const])),
        verbose: 'boolean',
      },
      'bench-suite',
    );
    if (flags.train) return runTrainSuite(argv, flags);
    for (const f of ['rounds', 'torch-script', ...TRAIN_MODEL_FLAGS])
      if (flags[f] !== undefined) throw new SasError('E_INPUT', `--${f} applies to the training suite (--train) only`);
    const seqLens = parseIntList((flags['seq-lens'] as string | undefined) ?? '512', 'seq-lens');
    const kinds = ((flags.kinds as string | undefined) ?? 'sas,mha').split(',') as ('sas' | 'mha')[];
    for (const k of kinds) if (k !== 'sas' && k !== 'mha') throw new SasError('E_INPUT', `--kinds: expected sas and/or mha, got '${printable(k)}'`);
    const wanted = typeof flags.backends === 'string' ? flags.backends.split(',') : undefined;
    for (const w of wanted ?? [])
      if (!CONTENDERS.some((c) => c.label === w))
        throw new SasError('E_INPUT', `--backends: unknown '${printable(w)}' (known: ${CONTENDERS.map((c) => c.label).join(', ')})`);
    const contenders = CONTENDERS.filter((c) => (wanted ? wanted.includes(c.label) : true));
    const runs = parsePositiveInt(flags.runs, 'runs', 3, MAX_RUNS);
    const warmup = flags.warmup === undefined ? undefined : parseNonNegativeInt(flags.warmup, 'warmup', 1, MAX_WARMUP);
    const timeoutMs = parsePositiveInt(flags.timeout, 'timeout', 300, MAX_TIMEOUT_SECONDS) * 1000;
    // Every sequence length must fit before the first case starts (each would otherwise fail, or swap, in its own process).
    for (const t of seqLens)
      for (const kind of kinds)
        checkBenchCapacity(configFromFlags({ kind, shape: paperHeadShape(kind, t) }), 'float32', !flags['no-backward'], `--seq-lens ${t} (${kind})`);
    const out = (flags.out as string | undefined) ?? join('bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    try {
      mkdirSync(dirname(out), { recursive: true });
    } catch (e) {
      throw new SasError('E_IO', `${out}: cannot create its directory (${String((e as Error).message).split('\n')[0]})`);
    }
    checkWriteTargets([out], { force: flags.force === true });

    const cases: SuiteCase[] = [];
    for (const t of seqLens)
      for (const kind of kinds)
        for (const backward of flags['no-backward'] ? [false] : [false, true])
          for (const c of contenders)
            cases.push({
              label: c.label,
              backend: c.backend,
              mode: c.mode,
              threads: c.threads,
              kind,
              shape: paperHeadShape(kind, t),
              backward,
              runs,
              ...(warmup === undefined ? {} : { warmup }),
            });
    const results: SuiteResult[] = [];
    const os = await import('node:os');
    // Load average before and after: the machine may be shared, and medians mean little without it.
    const loadBefore = os.loadavg();
    for (const c of cases) {
      const contender = CONTENDERS.find((x) => x.label === c.label)!;
      const r: SuiteResult =
        contender.needsDisplay && !process.env.DISPLAY
          ? { ...c, ok: false, error: 'skipped: no display (run under xvfb-run -a)' }
          : await runSuiteCase(c, timeoutMs);
      results.push(r);
      process.stderr.write(
        `${c.label} ${c.kind} ${c.shape} ${c.backward ? 'fwd+bwd' : 'fwd'}: ${r.ok ? `${(r.result.medianMs as number).toFixed(1)} ms` : r.error}\n`,
      );
    }
    const report = {
      command: `sas bench-suite ${argv.join(' ')}`.trim(),
      date: new Date().toISOString(),
      machine: machineRecord(os, loadBefore),
      results,
    };
    writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`, { force: flags.force === true });
    process.stdout.write(`${table(results)}\n\nreport: ${out}\n`);
    return 0;
  },
};

/** `sas bench-suite --train`: the training cases, interleaved by round, one JSON report. */
async function runTrainSuite(argv: readonly string[], flags: Record<string, string | boolean | undefined>): Promise<number> {
  for (const f of ['seq-lens', 'no-backward']) if (flags[f] !== undefined) throw new SasError('E_INPUT', `--${f} applies to the layer suite, not --train`);
  const kinds = ((flags.kinds as string | undefined) ?? 'sas,mha').split(',') as ('sas' | 'mha')[];
  for (const k of kinds) if (k !== 'sas' && k !== 'mha') throw new SasError('E_INPUT', `--kinds: expected sas and/or mha, got '${k}'`);
  const wanted = typeof flags.backends === 'string' ? flags.backends.split(',') : undefined;
  for (const w of wanted ?? [])
    if (!TRAIN_CONTENDERS.some((c) => c.label === w))
      throw new SasError('E_INPUT', `--backends: unknown '${w}' (known with --train: ${TRAIN_CONTENDERS.map((c) => c.label).join(', ')})`);
  const contenders = TRAIN_CONTENDERS.filter((c) => (wanted ? wanted.includes(c.label) : true));
  const steps = parsePositiveInt(flags.runs, 'runs', 5);
  const warmup = flags.warmup === '0' ? 0 : parsePositiveInt(flags.warmup, 'warmup', 2);
  const rounds = parsePositiveInt(flags.rounds, 'rounds', 1);
  const timeoutMs = parsePositiveInt(flags.timeout, 'timeout', 600) * 1000;
  const modelArgs = TRAIN_MODEL_FLAGS.filter((f) => flags[f] !== undefined).flatMap((f) => [`--${f}`, String(parsePositiveInt(flags[f], f, 1))]);
  const out = (flags.out as string | undefined) ?? join('bench-results', `train-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  try {
    mkdirSync(dirname(out), { recursive: true });
  } catch (e) {
    throw new SasError('E_IO', `${out}: cannot create its directory (${String((e as Error).message).split('\n')[0]})`);
  }
  checkWriteTargets([out], { force: flags.force === true });
  const os = await import('node:os');
  const loadBefore = os.loadavg();
  const byCase = new Map<string, TrainResult[]>();
  for (let round = 0; round < rounds; round++) {
    for (const attention of kinds) {
      for (const c of contenders) {
        const trainCase: TrainCase = { ...c, attention, steps, warmup, modelArgs };
        const r = await runTrainCase(trainCase, timeoutMs, { torchScript: flags['torch-script'] as string | undefined });
        const key = `${attention}|${c.label}`;
        byCase.set(key, [...(byCase.get(key) ?? []), r]);
        process.stderr.write(
          `round ${round + 1}/${rounds} ${c.label} ${attention} train: ${r.ok ? `${(r.result.tokensPerSecond as number).toFixed(0)} tokens/s` : r.error} (load ${os.loadavg()[0].toFixed(1)})\n`,
        );
      }
    }
  }
  const results = [...byCase.values()].map(combineRounds);
  const report = {
    command: `sas bench-suite ${argv.join(' ')}`.trim(),
    date: new Date().toISOString(),
    machine: machineRecord(os, loadBefore),
    rounds,
    results,
  };
  writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`, { force: flags.force === true });
  process.stdout.write(`${trainTable(results)}\n\nreport: ${out}\n`);
  return 0;
}
