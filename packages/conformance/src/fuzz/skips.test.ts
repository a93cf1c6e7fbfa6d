// A fuzz case that meets a known issue whose effect is 'skip' counts as
// skipped: never as passed, and not among the cases compared. The project has
// no open known issue, so the test declares one (every zero-size op case, on
// the reference): what is under test is the accounting, and the reference
// would pass every case, so a skipped case counted as passed would go
// unnoticed anywhere else.

import { describe, expect, it } from 'vitest';
import { createReferenceBackend, referenceProvider } from '@sas/core';
import type { FuzzCase } from './cases.js';
import { fuzzBackend } from './differential.js';
import { KNOWN_ISSUES, type KnownIssue } from './regressions.js';
import { formatFuzzFailure, runFuzzCase } from './run-case.js';

const tolerance = referenceProvider.tolerance('float64');
const emptyShapes = (c: FuzzCase) =>
  c.kind === 'op' && [...c.shapes, Array.isArray(c.attrs.shape) ? (c.attrs.shape as number[]) : []].some((s) => s.includes(0));
const zeroSize: KnownIssue = {
  id: 'test-zero-size',
  issue: 'declared by this test: every zero-size op case is skipped on the reference',
  backends: ['reference'],
  affects: emptyShapes,
  effect: 'skip',
  case: { kind: 'op', op: 'BroadcastTo', shapes: [[]], attrs: { shape: [0] }, domains: ['normal'], seed: 0 },
};

describe('fuzz: cases a known issue skips are skipped, not passed', () => {
  it('no known issue is open: every defect found was fixed where it lived', () => {
    expect(KNOWN_ISSUES.map((k) => k.id)).toEqual([]);
  });

  it("a case a 'skip' issue affects is reported skipped and not passed, and names the issue", async () => {
    const report = await runFuzzCase(createReferenceBackend(), zeroSize.case, { tolerance, knownIssues: [zeroSize] });
    expect(report).toMatchObject({ skipped: true, passed: false, knownIssue: 'test-zero-size', checks: [] });
    expect(formatFuzzFailure(report)).toMatch(/: skipped: known issue test-zero-size$/);
    // Without the issue the same case runs and passes.
    expect((await runFuzzCase(createReferenceBackend(), zeroSize.case, { tolerance })).passed).toBe(true);
  });

  it('fuzzBackend: skipped cases are counted apart, and the cases compared still reach the number asked for', async () => {
    const report = await fuzzBackend(createReferenceBackend(), { tolerance, layerRuns: 0, opRuns: 80, seed: 7, knownIssues: [zeroSize] });
    expect(report.op.skipped).toBeGreaterThan(0);
    expect(report.op.knownIssueHits['test-zero-size']).toBe(report.op.skipped);
    expect(report.op.runs).toBe(80);
    expect(report.passed).toBe(true);
  });
});
