import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeCheckpoint, modelParams, type Tensor } from '@sas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real executable, as users run it (the root test script builds it first).
const bin = resolve(__dirname, '../dist/main.js');

function sas(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Tiny models, one thread: each run takes seconds.
const TINY_BASE = ['--width', '16', '--heads', '2', '--layers', '1', '--threads', '1'];
const TINY_MODEL = [...TINY_BASE, '--sim-heads', '4', '--sim-head-dim', '8'];
const MQAR = ['--task', 'mqar', '--pairs', '4', '--keys', '8', '--values', '8', '--batch', '16', '--eval-sequences', '64', '--warmup', '5', '--lr', '0.01'];
/** The run the resume tests stop and continue: 30 steps, an evaluation (and checkpoint) every 10. */
const RESUMABLE = [...MQAR, ...TINY_MODEL, '--steps', '30', '--eval-every', '10', '--json'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sas-train-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LogLine {
  step: number;
  tokens: number;
  wallSeconds: number;
  lr: number;
  trainLoss: number;
  valLoss: number;
  accuracy?: number;
}
const readLog = (path: string): LogLine[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
/** A log without its clock readings, which no two runs share. */
const timeless = (lines: LogLine[]) => lines.map(({ wallSeconds: _, ...rest }) => rest);
const readCheckpoint = (path: string) => decodeCheckpoint(new Uint8Array(readFileSync(path)), { source: path });
/** Every tensor of a checkpoint (params and AdamW moments) as bytes, for bit-for-bit comparison. */
const tensorBytes = (tensors: Readonly<Record<string, Tensor>>) =>
  Object.fromEntries(
    Object.entries(tensors)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64')]),
  );

/** Runs the CLI in the background; resolves with its exit code. */
function start(args: string[]): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  child.stdout!.resume();
  return { child, exit: new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, stderr }))) };
}

const until = async (condition: () => boolean, what: string, ms = 120_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('sas train: learning', () => {
  it('the loss falls on mqar in a few dozen steps of a tiny model', () => {
    const r = sas('train', ...MQAR, ...TINY_MODEL, '--steps', '40', '--eval-every', '10', '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split('\n'); // with --json the evaluation lines go to stderr
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^step 10\/40 {2}train \d\.\d{4} {2}val \d\.\d{4} {2}accuracy \d+\.\d% {2}lr /);
    const s = JSON.parse(r.stdout);
    const first = Number(/val (\d\.\d+)/.exec(lines[0])![1]);
    expect(s.valLoss).toBeLessThan(first - 0.1);
    // 16 classes at the start: chance is ln 16 = 2.77; the model at least learns the answer is a value (ln 8 = 2.08)
    expect(s.trainLoss).toBeLessThan(Math.log(16) - 0.4);
  });

  it('the loss falls on the Brown corpus in a few dozen steps of a tiny model', () => {
    const log = join(dir, 'brown.jsonl');
    const r = sas('train', '--task', 'brown', ...TINY_MODEL, '--seq-len', '16', '--batch', '8', '--steps', '40', '--eval-every', '10');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^step 10\/40 {2}train /m); // no --json: evaluation lines on stdout
    const r2 = sas(
      'train',
      '--task',
      'brown',
      ...TINY_MODEL,
      '--seq-len',
      '16',
      '--batch',
      '8',
      '--steps',
      '40',
      '--eval-every',
      '20',
      '--log',
      log,
      '--lr',
      '0.01',
    );
    expect(r2.code, r2.stderr).toBe(0);
    const lines = readLog(log);
    expect(lines.map((l) => l.step)).toEqual([20, 40]);
    expect(lines[0].valLoss).toBeLessThan(Math.log(84)); // better than uniform over the 84 characters
    expect(lines[1].valLoss).toBeLessThan(lines[0].valLoss);
    expect(lines[1].accuracy).toBeUndefined();
  });
});

describe('sas train: every attention kind and ablation of the studies', () => {
  const ablation = (name: string, extra: string[]) => {
    const path = join(dir, `${name}.safetensors`);
    const args = [...MQAR, ...(extra.includes('--attention') ? TINY_BASE : TINY_MODEL), ...extra];
    return { path, args: [...args, '--steps', '4', '--eval-every', '4', '--json', '--checkpoint', path] };
  };

  it('trains mha, gqa and mqa, with the key/value heads each implies', () => {
    for (const [kind, kvHeads] of [
      ['mha', 2],
      ['gqa', 1],
      ['mqa', 1],
    ] as const) {
      const { args } = ablation(kind, ['--attention', kind]);
      const r = sas('train', ...args);
      expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).model.attention).toEqual({ kind, kvHeads });
    }
  });

  it('--no-feature-maps, --kernel 1 and --init identity build the ablated models', () => {
    const noMaps = sas('train', ...ablation('no-maps', ['--no-feature-maps']).args); // --sim-head-dim 8 is D, as it must be
    expect(noMaps.code, noMaps.stderr).toBe(0);
    expect(JSON.parse(noMaps.stdout).model.attention).toMatchObject({ featureMaps: false });
    const { path, args } = ablation('k1', ['--kernel', '1', '--init', 'identity']);
    const k1 = sas('train', ...args, '--until', '1');
    expect(k1.code, k1.stderr).toBe(0);
    const c = readCheckpoint(path);
    expect(c.config.attention).toMatchObject({ kernelSize: 1 });
    // identity init (MODEL.md): after one step the .3 maps have moved away from 0 only by about lr
    expect(Math.max(...c.params['blocks.0.attn.sas_q.3.process.weight'].data.map(Math.abs))).toBeLessThan(0.02);
  });

  it('--freeze maps|qk|v keeps exactly those SAS maps as they were, and trains the rest', () => {
    for (const [freeze, frozen] of [
      ['maps', /\.sas_[qkv]\./],
      ['qk', /\.sas_[qk]\./],
      ['v', /\.sas_v\./],
    ] as const) {
      const { path, args } = ablation(`freeze-${freeze}`, ['--freeze', freeze, '--init', 'identity']);
      const first = sas('train', ...args, '--until', '1');
      expect(first.code, first.stderr).toBe(0);
      const s = JSON.parse(first.stdout);
      expect(s.trainableParams).toBeLessThan(s.params);
      const before = readCheckpoint(path).params;
      const rest = sas('train', '--checkpoint', path, '--resume', '--json');
      expect(rest.code, rest.stderr).toBe(0);
      const after = readCheckpoint(path).params;
      for (const name of Object.keys(before)) {
        const same = Buffer.from(before[name].data.buffer).equals(Buffer.from(after[name].data.buffer));
        expect(same, `${freeze}: ${name}`).toBe(frozen.test(name));
      }
    }
  });
});

describe('sas train: checkpoints and resume', () => {
  let reference: { summary: Record<string, unknown>; log: LogLine[]; tensors: Record<string, string>; path: string };
  beforeAll(() => {
    const path = join(dir, 'reference.safetensors');
    const log = join(dir, 'reference.jsonl');
    const r = sas('train', ...RESUMABLE, '--checkpoint', path, '--log', log);
    expect(r.code, r.stderr).toBe(0);
    const c = readCheckpoint(path);
    reference = { summary: JSON.parse(r.stdout), log: readLog(log), tensors: tensorBytes({ ...c.params, ...c.moments }), path };
  });

  it('--json ends with one summary holding the documented fields', () => {
    const s = reference.summary;
    const config = s.model as Parameters<typeof modelParams>[0];
    expect(config).toEqual({
      vocab: 16,
      width: 16,
      layers: 1,
      heads: 2,
      maxSeqLen: 12,
      attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 3, featureMaps: true },
    });
    const last = reference.log.at(-1)!;
    expect(s).toMatchObject({ task: 'mqar', attention: 'sas', steps: 30, totalSteps: 30, outcome: 'done', backend: 'ndarray', mode: 'cpu' });
    expect(s).toMatchObject({ trainLoss: last.trainLoss, valLoss: last.valLoss, accuracy: last.accuracy, checkpoint: reference.path });
    expect(s.params).toBe(Object.values(modelParams(config).shapes).reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0));
    expect(s.tokensPerSecond).toBeGreaterThan(0);
    expect(s.wallSeconds).toBeGreaterThanOrEqual(last.wallSeconds);
    expect(reference.log.map((l) => [l.step, l.tokens])).toEqual([
      [10, 1920],
      [20, 3840],
      [30, 5760],
    ]);
  });

  it('N steps equal k steps, a resume and N − k steps, bit for bit (params, AdamW moments, logged losses)', () => {
    const path = join(dir, 'split.safetensors');
    const log = join(dir, 'split.jsonl');
    const first = sas('train', ...RESUMABLE, '--checkpoint', path, '--log', log, '--until', '10');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ steps: 10, outcome: 'until' });
    expect(readCheckpoint(path).step).toBe(10);
    const second = sas('train', ...RESUMABLE, '--checkpoint', path, '--log', log, '--resume');
    expect(second.code, second.stderr).toBe(0);
    const c = readCheckpoint(path);
    expect(c.step).toBe(30);
    expect(tensorBytes({ ...c.params, ...c.moments })).toEqual(reference.tensors);
    expect(timeless(readLog(log))).toEqual(timeless(reference.log));
    const s = JSON.parse(second.stdout);
    expect([s.trainLoss, s.valLoss, s.accuracy]).toEqual([reference.summary.trainLoss, reference.summary.valLoss, reference.summary.accuracy]);
  });

  it('a resume needs no flags but --checkpoint, and refuses flags that contradict the checkpoint', () => {
    const path = join(dir, 'short.safetensors');
    expect(sas('train', ...RESUMABLE, '--checkpoint', path, '--until', '5').code).toBe(0);
    const before = readFileSync(path);
    const contradicting = sas('train', '--checkpoint', path, '--resume', '--lr', '0.02');
    expect(contradicting.code).toBe(2);
    expect(contradicting.stderr).toMatch(/^sas: --lr 0\.02 contradicts the checkpoint .*short\.safetensors \(lr 0\.01\); resume with the run's own flags/);
    expect(contradicting.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(path).equals(before)).toBe(true);
    const bare = sas('train', '--checkpoint', path, '--resume', '--until', '6', '--json');
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(bare.stdout)).toMatchObject({ task: 'mqar', steps: 6, totalSteps: 30, outcome: 'until' });
  });

  it('never replaces an existing checkpoint or log without --resume or --force', () => {
    const path = join(dir, 'precious.safetensors');
    writeFileSync(path, 'mine');
    const r = sas('train', ...RESUMABLE, '--checkpoint', path);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^sas: --checkpoint .*precious\.safetensors: file exists \(--resume to continue that run, or --force to start over and replace it\)\n$/,
    );
    expect(readFileSync(path, 'utf8')).toBe('mine');
    const notOurs = sas('train', '--checkpoint', path, '--resume');
    expect(notOurs.code).toBe(2);
    expect(notOurs.stderr.trim().split('\n')).toHaveLength(1);
    const log = join(dir, 'precious.jsonl');
    writeFileSync(log, 'notes\n');
    const r2 = sas('train', ...RESUMABLE, '--log', log);
    expect(r2.stderr).toMatch(/^sas: --log .*precious\.jsonl: file exists \(use --force to overwrite, or --resume to continue its run\)\n$/);
    expect(readFileSync(log, 'utf8')).toBe('notes\n');
    const forced = sas('train', ...RESUMABLE, '--checkpoint', path, '--until', '2', '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(readCheckpoint(path).step).toBe(2);
  });

  it('Ctrl-C finishes the step, writes a checkpoint and exits 130; resuming it ends where an uninterrupted run ends', async () => {
    const path = join(dir, 'interrupted.safetensors');
    const log = join(dir, 'interrupted.jsonl');
    const run = start(['train', ...RESUMABLE, '--checkpoint', path, '--log', log]);
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('\n'), 'the first evaluation');
    run.child.kill('SIGINT');
    const { code, stderr } = await run.exit;
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Ctrl-C: stopping after this step and saving the checkpoint/);
    const stopped = readCheckpoint(path);
    expect(stopped.step).toBeGreaterThanOrEqual(10);
    expect(stopped.step).toBeLessThan(30);
    const resumed = sas('train', ...RESUMABLE, '--checkpoint', path, '--log', log, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    const c = readCheckpoint(path);
    expect(tensorBytes({ ...c.params, ...c.moments })).toEqual(reference.tensors);
    expect(timeless(readLog(log))).toEqual(timeless(reference.log));
  });

  it('a run killed while writing a checkpoint leaves the previous one whole', async () => {
    const path = join(dir, 'killed.safetensors');
    const args = ['train', ...MQAR, ...TINY_MODEL, '--steps', '400', '--eval-every', '1', '--eval-sequences', '16', '--checkpoint', path];
    const temporary = () => readdirSync(dir).find((n) => n.startsWith('.killed.safetensors.') && n.endsWith('.tmp'));
    // Kill the moment a temporary checkpoint file appears; if the rename won the race, resume and try again.
    let caughtMidWrite = false;
    for (let attempt = 0; attempt < 8 && !caughtMidWrite; attempt++) {
      const run = start(attempt === 0 ? args : [...args, '--resume']);
      // a write that replaces a checkpoint: one exists already and a temporary file appears beside it
      await until(() => (existsSync(path) && temporary() !== undefined) || run.child.exitCode !== null, 'a checkpoint write');
      run.child.kill('SIGKILL');
      const { signal } = await run.exit;
      expect(signal).toBe('SIGKILL');
      caughtMidWrite = temporary() !== undefined;
      const c = readCheckpoint(path); // whole and readable
      expect(c.step).toBeGreaterThan(0);
    }
    expect(caughtMidWrite, 'a kill landed while a checkpoint was being written').toBe(true);
    const after = sas('train', ...args.slice(1), '--resume', '--until', String(readCheckpoint(path).step + 1), '--json');
    expect(after.code, after.stderr).toBe(0);
  });
});

describe('sas train: bad input', () => {
  it('answers each bad flag with one line and exit 2', () => {
    for (const [args, message] of [
      [['--steps', '1.5'], /^sas: --steps: expected an integer ≥ 1, got '1\.5'$/],
      [['--lr', 'fast'], /^sas: --lr: expected a decimal number > 0, got 'fast'$/],
      [['--lr', '0'], /^sas: --lr: expected a decimal number > 0, got '0'$/],
      [['--task', 'wiki'], /^sas: --task: expected brown, mqar, got 'wiki'$/],
      [['--attention', 'mha', '--sim-heads', '4'], /^sas: --sim-heads applies to --attention sas only$/],
      [['--width', '30', '--heads', '4'], /^sas: --width 30 is not divisible by --heads 4$/],
      [['--sim-heads', '6'], /^sas: config\.attention\.simHeads: /],
      [['--resume'], /^sas: --resume needs --checkpoint FILE/],
      [['--checkpoint', join(tmpdir(), 'no-such-dir', 'c.safetensors')], /^sas: --checkpoint .*: directory .*no-such-dir does not exist$/],
      [
        ['--checkpoint', join(tmpdir(), 'sas-nothing-here.safetensors'), '--resume'],
        /^sas: --resume: no checkpoint at .* \(leave out --resume to start a new run\)$/,
      ],
      [['--until', '5'], /^sas: --until needs --checkpoint FILE/],
      [['--backend', 'nope'], /^sas: unknown backend 'nope'/],
      [['--bogus'], /^sas: train: unknown flag --bogus/],
      [[...TINY_MODEL, '--warmup', '0', '--lr', '1e30'], /^sas: step \d+: the training loss is NaN: training diverged \(try a lower --lr or a --clip\)/],
    ] as const) {
      const r = sas('train', ...MQAR, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
