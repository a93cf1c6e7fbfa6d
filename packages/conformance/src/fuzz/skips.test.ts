// A fuzz case that meets a known issue whose effect is 'skip' counts as
// skipped: never as passed, and not among the cases compared. The backend here
// is the reference under the affected backend's name: what is under test is
// the accounting, which goes by name, and the reference would pass every case,
// so a skipped case counted as passed would go unnoticed anywhere else.

import { describe, expect, it } from 'vitest';
import { createReferenceBackend, referenceProvider, type Backend } from '@sas/core';
import { fuzzBackend } from './differential.js';
import { KNOWN_ISSUES } from './regressions.js';
import { formatFuzzFailure, runFuzzCase } from './run-case.js';

const tolerance = referenceProvider.tolerance('float64');
/** The reference backend, named like `target` ('name' or 'name/mode'). */
function namedLike(target: string): Backend {
  const [name, mode = 'cpu'] = target.split('/');
  return { ...createReferenceBackend(), name, mode };
}

describe('fuzz: cases a known issue skips are skipped, not passed', () => {
  for (const issue of KNOWN_ISSUES.filter((k) => k.effect === 'skip')) {
    it(`${issue.id}: its counterexample is reported skipped and not passed`, async () => {
      const report = await runFuzzCase(namedLike(issue.backends?.[0] ?? 'reference/float64'), issue.case, { tolerance });
      expect(report).toMatchObject({ skipped: true, passed: false, knownIssue: issue.id, checks: [] });
      expect(formatFuzzFailure(report)).toMatch(new RegExp(`: skipped: known issue ${issue.id}$`));
    });
  }

  const zeroSize = KNOWN_ISSUES.find((k) => k.id === 'tfjs-zero-size');
  if (zeroSize)
    it('fuzzBackend: skipped cases are counted apart, and the cases compared still reach the number asked for', async () => {
      const report = await fuzzBackend(namedLike('tfjs/cpu'), { tolerance, layerRuns: 0, opRuns: 80, seed: 7 });
      expect(report.op.skipped).toBeGreaterThan(0);
      expect(report.op.knownIssueHits['tfjs-zero-size']).toBe(report.op.skipped);
      expect(report.op.runs).toBe(80);
      expect(report.passed).toBe(true);
    });
});
