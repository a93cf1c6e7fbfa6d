import { describe, expect, it } from 'vitest';
import { createReferenceBackend, referenceProvider } from '@sas/core';
import { formatModelReport } from './models/format.js';
import { bundledModelFixturesDir, loadModelFixtureSet, runModelConformance } from './models/node.js';

const tolerance = referenceProvider.tolerance('float64');

describe('model conformance on the reference (float64: 1e-9, gradients 1e-8)', () => {
  it('passes every bundled case: logits, loss, every grad.*, grad_norm, step1.*, loss_after_step1, step2.*', async () => {
    const report = await runModelConformance(createReferenceBackend(), { tolerance });
    expect(report.passed, formatModelReport(report)).toBe(true);
    expect(report.cases.map((c) => c.name)).toEqual(loadModelFixtureSet(bundledModelFixturesDir()).cases.map((c) => c.name));
    for (const c of report.cases) {
      const names = c.checks.map((k) => k.name);
      expect(names, c.name).toEqual(
        expect.arrayContaining(['logits', 'loss', 'grad_norm', 'loss_after_step1', 'step1.tok.weight', 'step2.head.bias', 'grad.head.weight']),
      );
    }
    console.log(formatModelReport(report));
  });
});
