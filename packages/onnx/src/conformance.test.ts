import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance, type ConformanceReport } from '@sas/conformance';
import { describeConformance, describeTraining } from '@sas/conformance/vitest';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';
import { createOnnxBackend, onnxProvider } from '@sas/onnx';
import { UNSEEN_CONFIGS, writeUnseenFixtures } from './test/unseen-fixtures.js';

// The shared suite: each bundled case exported to ONNX, run in ONNX Runtime
// (float32), compared with the authors' numbers at atol = rtol = 1e-4. The
// gradient graphs are plain core ops too, so they export and run the same way.
describeConformance(onnxProvider, { mode: 'cpu', grads: true });
describeConformance(onnxProvider, { mode: 'cpu', fixturesDir: paperHeadFixturesDir() }); // the paper's head shape, forward only

// Training-step graphs (AdamW, scalar inputs for the learning rate and bias
// corrections) export and run too: the loss must fall at every step.
describeTraining(onnxProvider, { mode: 'cpu' });

const failures = (r: ConformanceReport) =>
  r.cases
    .filter((c) => !c.passed)
    .map(
      (c) =>
        `${c.name}: ${
          c.error ??
          c.checks
            .filter((k) => !k.passed)
            .map((k) => `${k.name} ${k.maxAbs}`)
            .join(', ')
        }`,
    );

describe('ONNX Runtime beyond the bundled float32 run', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('runs float64 graphs (DOUBLE, im2col conv) within 1e-9 of the authors, gradients within 1e-8', async () => {
    const backend = await createOnnxBackend();
    try {
      const report = await runConformance(backend, { tolerance: { atol: 1e-9, rtol: 1e-9, gradAtol: 1e-8, gradRtol: 1e-8 }, grads: true, dtype: 'float64' });
      expect(failures(report)).toEqual([]);
      expect(report.cases.filter((c) => c.gradsChecked).length).toBeGreaterThan(0);
    } finally {
      await backend.dispose();
    }
  });

  it("passes a fixture directory of shapes it has never seen (T=1, k=5 and 7, H'=3H, GQA, bidirectional MQA)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-onnx-unseen-'));
    dirs.push(dir);
    await writeUnseenFixtures(dir);
    const backend = await onnxProvider.create({ mode: 'cpu' });
    try {
      const report = await runConformance(backend, { tolerance: onnxProvider.tolerance('cpu'), fixturesDir: dir, grads: true });
      expect(report.cases.map((c) => c.name)).toEqual(UNSEEN_CONFIGS.map(([n]) => n));
      expect(failures(report)).toEqual([]);
      expect(report.cases.every((c) => c.gradsChecked)).toBe(true);
    } finally {
      await backend.dispose();
    }
  });

  it('caches one session per graph and output set, and releases them on dispose', async () => {
    const backend = await createOnnxBackend();
    const report = await runConformance(backend, { tolerance: onnxProvider.tolerance('cpu'), cases: ['sas-tiny'] });
    expect(report.passed).toBe(true);
    expect(backend.sessionCount()).toBe(1);
    await backend.dispose();
    expect(backend.sessionCount()).toBe(0);
    await expect(backend.run({ dtype: 'float32', nodes: [], outputs: {} }, {})).rejects.toThrow(/disposed/);
  });

  it('refuses a mode it does not have', async () => {
    await expect(onnxProvider.create({ mode: 'cuda' })).rejects.toThrow(/backend 'onnx' has one mode, 'cpu'; got 'cuda'/);
  });
});
