import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The real executable, as users run it (the root test script builds it first).
const bin = resolve(__dirname, '../dist/main.js');

function sas(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sas CLI', () => {
  it('is built', () => {
    expect(existsSync(bin), `${bin} missing: run 'pnpm build' first`).toBe(true);
  });

  it('prints help and lists its commands', () => {
    const r = sas('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo .*\n.*conformance/);
    expect(sas('conformance', '--help').stdout).toMatch(/--backend NAME/);
  });

  it('rejects unknown commands, backends, modes and flags with one line and a non-zero exit', () => {
    for (const [args, message] of [
      [['frobnicate'], /^sas: unknown command 'frobnicate'/],
      [['conformance', '--backend', 'nope'], /^sas: unknown backend 'nope' \(known: reference, /],
      [['conformance', '--backend', 'reference', '--mode', 'float16'], /^sas: backend 'reference' has no mode 'float16'/],
      [['conformance', '--backend', 'reference', '--bogus'], /^sas: conformance: unknown flag --bogus/],
      [['conformance'], /^sas: conformance: --backend is required/],
      [['conformance', '--backend'], /^sas: conformance: --backend needs a value/],
    ] as const) {
      const r = sas(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1); // no stack trace without --verbose
    }
  });

  it('runs the reference conformance suite with gradients and exits 0', () => {
    const r = sas('conformance', '--backend', 'reference', '--grads', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(true);
    expect(report.cases).toHaveLength(12);
    expect(report.cases.filter((c: { gradsChecked: boolean }) => c.gradsChecked)).toHaveLength(11);
  });

  it('runs the model conformance suite on the reference (--models) and exits 0', () => {
    const r = sas('conformance', '--models', '--backend', 'reference', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.passed).toBe(true);
    expect(report.cases.map((c: { name: string }) => c.name)).toContain('lm-sas-identity-frozen');
    const text = sas('conformance', '--models', '--backend', 'reference', '--cases', 'lm-gqa-step');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^PASS {2}lm-gqa-step +gqa +\d+ tensors/m);
    expect(text.stdout).toMatch(/OK: 1\/1 cases passed/);
  });

  it('runs the model conformance suite on ndarray at its model tolerance (updated params at their own bound) and exits 0', () => {
    const r = sas('conformance', '--models', '--backend', 'ndarray');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tolerance: .*\(grad\.\*, grad_norm\); 0\.001 \+ 0·\|e\| \(step1\.\*, step2\.\*\)$/m);
    expect(r.stdout).toMatch(/OK: 6\/6 cases passed/);
  });

  it('--models fails a run that checks nothing: an unknown case name, an empty manifest', () => {
    const unknown = sas('conformance', '--models', '--backend', 'reference', '--cases', 'lm-nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/problem: no case named 'lm-nope'/);
    const dir = mkdtempSync(join(tmpdir(), 'sas-cli-'));
    try {
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases: [] }));
      const empty = sas('conformance', '--models', '--backend', 'reference', '--fixtures', dir, '--json');
      expect(empty.code).toBe(1);
      expect(JSON.parse(empty.stdout)).toMatchObject({ passed: false, cases: [], problem: 'no case to check: the manifest lists none' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const layerDir = sas('conformance', '--models', '--backend', 'reference', '--fixtures', resolve(__dirname, '../../../packages/conformance/fixtures'));
    expect(layerDir.code).not.toBe(0);
    expect(layerDir.stderr).toMatch(/manifest\.json: case 0 \('sas-tiny'\): "model" must be an object/);
    expect(layerDir.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits non-zero with one line naming the file when a fixture file is malformed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-cli-'));
    try {
      writeFileSync(
        join(dir, 'manifest.json'),
        JSON.stringify({ cases: [{ name: 'x', file: 'x.safetensors', kind: 'mha', batch: 1, seqLen: 2, heads: 2, headDim: 2, kvHeads: 2, causal: true }] }),
      );
      writeFileSync(join(dir, 'x.safetensors'), new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
      const r = sas('conformance', '--backend', 'reference', '--fixtures', dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/x\.safetensors: header claims 200 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero with one clear line when there is nothing to check', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-cli-'));
    try {
      const r1 = sas('conformance', '--backend', 'reference', '--cases', 'no-such-case');
      expect(r1.code).toBe(2);
      expect(r1.stderr.trim()).toMatch(/^sas: cases: no case 'no-such-case' in \S+ \(cases: sas-tiny, .*\)$/);
      const r2 = sas('conformance', '--backend', 'reference', '--fixtures', dir);
      expect(r2.code).toBe(2);
      expect(r2.stderr.trim()).toMatch(/^sas: \S+manifest\.json: cannot read the fixture manifest \(ENOENT/);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases: [] }));
      const r3 = sas('conformance', '--backend', 'reference', '--fixtures', dir);
      expect(r3.code).toBe(2);
      expect(r3.stderr.trim()).toBe(`sas: ${join(dir, 'manifest.json')}: lists no cases (nothing to check)`);
      const r4 = sas('conformance', '--backend', 'reference', '--grads', '--cases', 'sas-paper-head');
      expect(r4.code).toBe(1);
      expect(r4.stdout.trim().split('\n').at(-1)).toBe('FAILED: 1/1 cases passed; gradients were asked for, but no case carries any (nothing compared)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("demo reproduces the authors' output and compares with MHA", () => {
    const r = sas('demo', '--backend', 'reference', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.reproduces).toBe(true);
    expect(summary.maxAbsError).toBeLessThan(1e-9);
    expect(summary.comparison.map((row: { layer: string }) => row.layer)).toEqual(['SAS', 'MHA']);
  });
});

describe('sas bench', () => {
  it('reports a median, a FLOP rate and peak memory as JSON', () => {
    const r = sas('bench', '--backend', 'reference', '--shape', '1,8,2,4,4,8', '--runs', '2', '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.config).toMatchObject({ kind: 'sas', seqLen: 8, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true });
    expect(m.medianMs).toBeGreaterThan(0);
    expect(m.minMs).toBeLessThanOrEqual(m.medianMs);
    expect(m.gflopsPerSecond).toBeGreaterThan(0);
    expect(m.peakRssMiB).toBeGreaterThan(0);
    expect(m.forward).toBeUndefined();
  });

  it('with --backward, also times the forward alternately and reports the backward as a multiple of it', () => {
    const r = sas('bench', '--backend', 'reference', '--shape', '1,8,2,4,4,8', '--runs', '2', '--backward', '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.backward).toBe(true);
    expect(m.forward.medianMs).toBeGreaterThan(0);
    expect(m.backwardMs).toBeCloseTo(m.medianMs - m.forward.medianMs, 6);
    expect(m.backwardOverForward).toBeCloseTo(m.backwardMs / m.forward.medianMs, 6);
    expect(m.forwardBackwardOverForward).toBeCloseTo(m.medianMs / m.forward.medianMs, 6);
    const text = sas('bench', '--backend', 'reference', '--shape', '1,8,2,4,4,8', '--runs', '1', '--backward');
    expect(text.stdout).toMatch(/forward alone, timed alternately: median [\d.]+ ms; backward -?[\d.]+ ms = -?[\d.]+× the forward/);
  });

  it('rejects malformed shapes and flags that do not fit the kind', () => {
    for (const [args, message] of [
      [['--shape', '1,8,2,4'], /--shape: expected 6 comma-separated positive integers, got '1,8,2,4'/],
      [['--shape', '1,8,2,4,5,8'], /config\.simHeads: expected a multiple of heads \(2\), got 5/],
      [['--shape', '1,8,2,4,4,8', '--kernel', '2'], /config\.kernelSize: expected an odd size/],
      [['--kind', 'gqa', '--shape', '1,8,4,4'], /--kv-heads is required for gqa/],
      [['--kind', 'mha', '--shape', '1,8,4,4', '--kernel', '3'], /--kernel applies to sas only/],
      [['--kind', 'gqa', '--shape', '1,8,4,4', '--kv-heads', '3'], /config\.kvHeads: expected a divisor of heads \(4\), got 3/],
    ] as const) {
      const r = sas('bench', '--backend', 'reference', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
  });
});
