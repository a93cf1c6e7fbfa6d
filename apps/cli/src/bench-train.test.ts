// The training benchmark through the built CLI: `sas bench-train` (one
// backend, JSON) and `sas bench-suite --train` (every contender side by side,
// PyTorch through bench/torch/train_throughput.py), on a small model so the
// test stays short. Speed is never asserted, only that each side trained the
// same model and the report says what it measured or why a row is missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = resolve(__dirname, '../dist/main.js');
const torchScript = resolve(__dirname, '../../../bench/torch/train_throughput.py');
const torchInstalled = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import torch'], { timeout: 60_000 }).status === 0;

function sas(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMALL = ['--width', '16', '--layers', '1', '--heads', '2', '--seq-len', '8', '--batch', '2', '--vocab', '13', '--sim-heads', '4', '--sim-head-dim', '8'];
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sas-bench-train-'));
  dirs.push(d);
  return d;
};

describe('sas bench-train', () => {
  it('times the training step and reports tokens/s from the median step, with the same model on every backend', () => {
    const runs = ['reference', 'ndarray'].map((backend) => {
      const r = sas('bench-train', '--backend', backend, ...SMALL, '--steps', '3', '--warmup', '1', '--json');
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    });
    for (const m of runs) {
      expect(m.steps).toBe(3);
      expect(m.params).toBe(runs[0].params);
      expect(m.tokensPerSecond).toBeCloseTo((2 * 8 * 1000) / m.medianStepMs, 6);
      expect(m.minStepMs).toBeLessThanOrEqual(m.medianStepMs);
      expect(m.model).toEqual({
        vocab: 13,
        width: 16,
        layers: 1,
        heads: 2,
        maxSeqLen: 8,
        attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 3 },
      });
    }
    // Four AdamW steps from the same seeded init and batch: float32 ndarray ends where the float64 reference does.
    expect(Math.abs(runs[1].finalLoss - runs[0].finalLoss)).toBeLessThan(1e-4);
  });

  it('refuses bad flags with one line', () => {
    for (const [args, message] of [
      [['--attention', 'linear'], /^sas: --attention: expected sas, mha, gqa or mqa, got 'linear'/],
      [['--kv-heads', '2'], /^sas: --kv-heads applies to mha, gqa and mqa only/],
      [['--steps', '0'], /^sas: --steps: expected a positive integer, got '0'/],
    ] as const) {
      const r = sas('bench-train', '--backend', 'reference', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('sas bench-suite --train', () => {
  it('runs each contender in its own process and writes one report with the ratio to PyTorch', () => {
    const out = join(tempDir(), 'train.json');
    const backends = torchInstalled && existsSync(torchScript) ? 'ndarray,pytorch' : 'ndarray';
    const r = sas('bench-suite', '--train', '--kinds', 'mha', '--backends', backends, '--runs', '2', '--warmup', '1', ...SMALL, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.command).toContain('--train');
    expect(report.machine.loadBefore).toHaveLength(3);
    const ndarray = report.results.find((x: { label: string }) => x.label === 'ndarray');
    expect(ndarray.ok).toBe(true);
    expect(ndarray.result.model.width).toBe(16);
    expect(ndarray.result.tokensPerSecondByRound).toHaveLength(1);
    expect(r.stdout).toMatch(/mha train\s+ndarray\s+\d+\s+\d+/);
    if (backends.includes('pytorch')) {
      const torch = report.results.find((x: { label: string }) => x.label === 'pytorch');
      expect(torch.ok, torch.error).toBe(true);
      expect(torch.result.params).toBe(ndarray.result.params);
      expect(r.stdout).toMatch(/mha train\s+pytorch\s+\d+\s+\d+\s+1\.00×/);
    }
  });

  it('skips the PyTorch row, naming why, when the script or python3-torch is missing', () => {
    const dir = tempDir();
    const noTorch = join(dir, 'no_torch.py');
    // What Python prints where python3-torch is not installed.
    writeFileSync(noTorch, 'raise ModuleNotFoundError("No module named \'torch\'")\n');
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.py'), /skipped: .*missing\.py not found/],
      [noTorch, /skipped: python3-torch is not installed/],
    ];
    for (const [script, reason] of cases) {
      const out = join(dir, `${script.endsWith('missing.py') ? 'missing' : 'no-torch'}.json`);
      const r = sas('bench-suite', '--train', '--kinds', 'mha', '--backends', 'pytorch', '--torch-script', script, ...SMALL, '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(reason);
      expect(JSON.parse(readFileSync(out, 'utf8')).results[0].error).toMatch(reason);
    }
  });

  it('refuses layer-suite flags with --train and training flags without it', () => {
    const a = sas('bench-suite', '--train', '--seq-lens', '512');
    expect(a.stderr).toMatch(/^sas: --seq-lens applies to the layer suite, not --train/);
    const b = sas('bench-suite', '--rounds', '2');
    expect(b.stderr).toMatch(/^sas: --rounds applies to the training suite \(--train\) only/);
    const c = sas('bench-suite', '--train', '--backends', 'gpujs-webasm');
    expect(c.stderr).toMatch(/^sas: --backends: unknown 'gpujs-webasm' \(known with --train: ndarray, /);
  });
});
