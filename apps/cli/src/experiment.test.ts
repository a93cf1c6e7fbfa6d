import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeCheckpoint, type Tensor } from '@sas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real executable, as users run it (the root test script builds it first); every run is a real `sas train` child.
const bin = resolve(__dirname, '../dist/main.js');

function sas(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 2 run kinds × 2 seeds of a tiny MQAR model, one thread each: a run takes seconds. */
const TINY_SPEC = {
  name: 'tiny',
  task: 'mqar',
  seeds: [1, 2],
  base: {
    pairs: 4,
    keys: 8,
    values: 8,
    width: 16,
    heads: 2,
    layers: 1,
    batch: 16,
    evalSequences: 64,
    warmup: 5,
    lr: 0.01,
    steps: 30,
    evalEvery: 10,
    threads: 1,
  },
  runs: [
    { name: 'mha', attention: 'mha' },
    { name: 'sas', attention: 'sas', simHeads: 4, simHeadDim: 8 },
  ],
};
const IDS = ['mha.seed1', 'sas.seed1', 'mha.seed2', 'sas.seed2'];

let dir: string;
let specPath: string;
/** The uninterrupted experiment every other one is held against. */
let reference: { out: string; summary: Record<string, unknown> };

type Line = Record<string, unknown> & { run: string; seed: number };
const jsonLines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
/** Result and log lines without the clock readings, which no two sessions share. */
const timeless = (lines: Line[]) => lines.map(({ wallSeconds: _w, tokensPerSecond: _t, ...rest }) => rest);
const readCheckpoint = (path: string) => decodeCheckpoint(new Uint8Array(readFileSync(path)), { source: path });
const tensorBytes = (tensors: Readonly<Record<string, Tensor>>) =>
  Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')]));
const checkpointTensors = (path: string) => {
  const c = readCheckpoint(path);
  return tensorBytes({ ...c.params, ...c.moments });
};

const until = async (condition: () => boolean, what: string, ms = 240_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

function start(args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  return { child, exit: new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr }))) };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sas-experiment-'));
  specPath = join(dir, 'tiny.json');
  writeFileSync(specPath, JSON.stringify(TINY_SPEC));
  const out = join(dir, 'reference');
  const r = sas('experiment', specPath, '--out', out, '--json');
  expect(r.code, r.stderr).toBe(0);
  reference = { out, summary: JSON.parse(r.stdout) };
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sas experiment: a whole study', () => {
  it('trains every run × seed seed-major, records each in results.jsonl, and leaves no lock behind', () => {
    const { out, summary } = reference;
    expect(summary).toMatchObject({ spec: 'tiny', runs: 4, skipped: [], finished: IDS, failed: [] });
    const results = jsonLines(join(out, 'results.jsonl'));
    expect(results.map((r) => `${r.run}.seed${r.seed}`)).toEqual(IDS);
    for (const r of results) {
      const id = `${r.run}.seed${r.seed}`;
      expect(r).toMatchObject({ task: 'mqar', steps: 30, totalSteps: 30, outcome: 'done', checkpoint: `${id}.ckpt`, backend: 'ndarray' });
      expect((r.options as { seed: number }).seed).toBe(r.seed);
      const log = jsonLines(join(out, `${id}.jsonl`));
      expect(log.map((l) => l.step)).toEqual([10, 20, 30]);
      expect([log[2].valLoss, log[2].accuracy]).toEqual([r.valLoss, r.accuracy]); // the summary is the last evaluation
      expect(readCheckpoint(join(out, `${id}.ckpt`)).step).toBe(30);
    }
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]); // no lock, no temporary files
  });

  it('a run of the experiment is exactly `sas train` run alone with the same options', () => {
    const log = join(dir, 'alone.jsonl');
    const base = ['--task', 'mqar', '--pairs', '4', '--keys', '8', '--values', '8', '--width', '16', '--heads', '2', '--layers', '1', '--batch', '16'];
    const flags = [...base, '--eval-sequences', '64', '--warmup', '5', '--lr', '0.01', '--steps', '30', '--eval-every', '10', '--threads', '1'];
    const r = sas('train', ...flags, '--attention', 'sas', '--sim-heads', '4', '--sim-head-dim', '8', '--seed', '2', '--log', log, '--json');
    expect(r.code, r.stderr).toBe(0);
    const alone = JSON.parse(r.stdout);
    const ours = jsonLines(join(reference.out, 'results.jsonl')).find((l) => l.run === 'sas' && l.seed === 2)!;
    expect([ours.trainLoss, ours.valLoss, ours.accuracy, ours.params]).toEqual([alone.trainLoss, alone.valLoss, alone.accuracy, alone.params]);
    expect(ours.options).toEqual(alone.options);
    expect(timeless(jsonLines(join(reference.out, 'sas.seed2.jsonl')))).toEqual(timeless(jsonLines(log)));
  });

  it('writes results.md (mean ± std over seeds) and the four plots', () => {
    const { out } = reference;
    for (const f of ['results.md', 'accuracy-step.svg', 'accuracy-wall.svg', 'valLoss-step.svg', 'valLoss-wall.svg'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    const results = jsonLines(join(out, 'results.jsonl'));
    for (const run of ['mha', 'sas']) {
      // the oracle: mean and sample std of the two seeds' final accuracies, straight from results.jsonl
      const [a, b] = results.filter((r) => r.run === run).map((r) => (r.accuracy as number) * 100);
      const cell = `${((a + b) / 2).toFixed(1)} ± ${(Math.abs(a - b) / Math.SQRT2).toFixed(1)}`;
      expect(md).toContain(`| ${run} | 2/2 | ${cell} | no |`);
    }
    const svg = readFileSync(join(out, 'accuracy-step.svg'), 'utf8');
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("Symbol legend titled 'run' for stroke color with 2 values: mha, sas");
  });
});

describe('sas experiment: stopping and resuming', () => {
  it('Ctrl-C stops every run at a checkpoint (exit 130); --resume skips finished runs and ends exactly where an uninterrupted experiment ends', async () => {
    const out = join(dir, 'interrupted');
    const run = start(['experiment', specPath, '--out', out, '--parallel', '2']);
    const results = join(out, 'results.jsonl');
    const done = () => (existsSync(results) ? jsonLines(results).map((l) => `${l.run}.seed${l.seed}`) : []);
    const lockPath = join(out, '.experiment.lock');
    const readLock = () => JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; children: number[] };
    // while the first runs train, a second experiment on the same out dir is refused
    await until(() => existsSync(lockPath) && readLock().children.length >= 1, 'the first runs to start');
    const second = sas('experiment', specPath, '--out', out, '--resume');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^sas: .*interrupted: in use by process \d+ \(an experiment or one of its runs\); wait for it or stop it/);

    // stop once a run has finished and another stands at its first checkpoint (step 10 of 30), so that it is
    // training now with 20 steps to go: the stop lands part of the way even on a loaded machine
    const atFirstCheckpoint = (id: string) =>
      !done().includes(id) && existsSync(join(out, `${id}.ckpt`)) && readCheckpoint(join(out, `${id}.ckpt`)).step === 10;
    await until(() => done().length >= 1 && IDS.some(atFirstCheckpoint), 'a finished and a running run');
    const lock = readLock();
    expect(lock.pid).toBe(run.child.pid);
    expect(lock.children.length).toBeGreaterThanOrEqual(1); // the runs training now, each its own process
    run.child.kill('SIGINT');
    const stopped = await run.exit;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(lock.children.filter(alive)).toEqual([]); // every run process has ended with the experiment
    expect(existsSync(join(out, '.experiment.lock'))).toBe(false);
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/Ctrl-C: stopping; each run saves its checkpoint after its current step/);
    expect(stopped.stdout).toMatch(/stopped: \d of 4 runs finished; continue with --resume\n$/);
    const finishedBefore = done();
    const midway = IDS.filter((id) => !finishedBefore.includes(id) && existsSync(join(out, `${id}.ckpt`)));
    expect(midway.length).toBeGreaterThanOrEqual(1);
    for (const id of midway) expect(readCheckpoint(join(out, `${id}.ckpt`)).step).toBeLessThan(30);
    const untouched = Object.fromEntries(finishedBefore.map((id) => [id, readFileSync(join(out, `${id}.ckpt`))]));

    const resumed = sas('experiment', specPath, '--out', out, '--resume', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.skipped).toEqual(finishedBefore);
    expect([...summary.skipped, ...summary.finished].sort()).toEqual([...IDS].sort());
    for (const [id, bytes] of Object.entries(untouched)) expect(readFileSync(join(out, `${id}.ckpt`)).equals(bytes), `${id} not rerun`).toBe(true);

    expect(timeless(jsonLines(results))).toEqual(timeless(jsonLines(join(reference.out, 'results.jsonl'))));
    for (const id of IDS) {
      expect(timeless(jsonLines(join(out, `${id}.jsonl`))), id).toEqual(timeless(jsonLines(join(reference.out, `${id}.jsonl`))));
      expect(checkpointTensors(join(out, `${id}.ckpt`)), id).toEqual(checkpointTensors(join(reference.out, `${id}.ckpt`)));
    }
  }, 600_000);

  it('--resume of a finished experiment runs nothing and renders the report again, here with a twin to compare with', () => {
    const twinDir = join(dir, 'twin');
    mkdirSync(twinDir);
    // the layout of bench/torch/mqar_twin.py's summary.json (bench/torch/README.md)
    const twin = {
      spec: 'tiny',
      implementation: 'a stand-in twin',
      runs: [
        { run: 'mha', seedsDone: [1, 2], accuracies: [0.95, 0.97] },
        { run: 'sas', seedsDone: [], accuracies: [] },
      ],
    };
    writeFileSync(join(twinDir, 'summary.json'), JSON.stringify(twin));
    const before = readFileSync(join(reference.out, 'results.jsonl'), 'utf8');
    const r = sas('experiment', specPath, '--out', reference.out, '--resume', '--twin', twinDir, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ skipped: IDS, finished: [], failed: [] });
    expect(summary.twin.map((c: { run: string; sameOutcome: boolean | null }) => [c.run, c.sameOutcome])).toEqual([
      ['mha', false], // ours is far from solving this tiny task in 30 steps; the stand-in twin "solved" it
      ['sas', null],
    ]);
    expect(readFileSync(join(reference.out, 'results.jsonl'), 'utf8')).toBe(before);
    const md = readFileSync(join(reference.out, 'results.md'), 'utf8');
    expect(md).toContain('## Against the twin');
    expect(md).toContain(`--twin ${join(dir, 'twin')}`);
    expect(md).toContain('- **sas**: no finished twin run, nothing to compare yet.');
  });
});

describe('sas experiment: bad input', () => {
  it('refuses to mix results of other options into a study, and a twin of another spec', () => {
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...TINY_SPEC, base: { ...TINY_SPEC.base, lr: 0.02 } }));
    const r = sas('experiment', changed, '--out', reference.out, '--resume');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^sas: .*results\.jsonl: run 'mha' seed 1 finished with other options than the spec gives now: lr \(0\.01 → 0\.02\); restore the spec, or use another --out\n$/,
    );
    const otherTwin = join(dir, 'other-twin.json');
    writeFileSync(otherTwin, JSON.stringify({ spec: 'mqar', implementation: 'x', runs: [] }));
    const t = sas('experiment', specPath, '--out', reference.out, '--resume', '--twin', otherTwin);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/^sas: --twin .*other-twin\.json: .*other-twin\.json is the twin of spec 'mqar', not of 'tiny' \(.*tiny\.json\)\n$/);
  });

  it('a run that fails does not stop the others: each failure is one line at the end, exit 1, the report covers the rest', () => {
    const mixed = join(dir, 'mixed.json');
    const base = { ...TINY_SPEC.base, steps: 10, evalEvery: 10 };
    writeFileSync(
      mixed,
      JSON.stringify({ ...TINY_SPEC, seeds: [1], base, runs: [{ name: 'diverges', attention: 'mha', lr: 1e30, warmup: 0 }, TINY_SPEC.runs[0]] }),
    );
    const out = join(dir, 'mixed');
    const r = sas('experiment', mixed, '--out', out);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^sas: run diverges\.seed1 failed: step \d+: the training loss is NaN: training diverged/m);
    expect(jsonLines(join(out, 'results.jsonl')).map((l) => l.run)).toEqual(['mha']);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('| diverges | 0/1 (missing 1) |');
  });

  it('never writes into a non-empty out dir without --resume', () => {
    const before = readFileSync(join(reference.out, 'results.jsonl'), 'utf8');
    const r = sas('experiment', specPath, '--out', reference.out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^sas: --out .*reference: not empty \(\d+ entries, e\.g\. .*\); --resume to continue the experiment there, or choose another --out\n$/,
    );
    expect(readFileSync(join(reference.out, 'results.jsonl'), 'utf8')).toBe(before);
  });

  it('answers a bad spec or flag with one line naming what is wrong, before any run starts', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...TINY_SPEC, runs: [{ name: 'sas', simHeads: 3 }] }));
    const out = join(dir, 'never');
    for (const [args, message] of [
      [[bad, '--out', out], /^sas: .*bad\.json: run 'sas': config\.attention\.simHeads: /],
      [[specPath, '--out', out, '--runs', 'gqa'], /^sas: --runs: 'gqa' is not a run of .*tiny\.json \(its runs: mha, sas\)$/],
      [[specPath, '--out', out, '--parallel', '0'], /^sas: --parallel: expected an integer ≥ 1, got '0'$/],
      [[specPath, '--out', out, '--twin', join(dir, 'nowhere')], /^sas: --twin .*nowhere: cannot read .*nowhere \(ENOENT\)$/],
      [[specPath, 'other.json'], /^sas: experiment: expected one SPEC\.json, got .*tiny\.json other\.json/],
      [['--out', out], /^sas: experiment: expected one SPEC\.json, got none/],
      [[join(dir, 'missing.json')], /^sas: .*missing\.json: cannot read the spec \(ENOENT\)$/],
    ] as const) {
      const r = sas('experiment', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(existsSync(out)).toBe(false);
  });
});
