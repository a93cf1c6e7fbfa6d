import type { Backend } from '@sas/core';
import { bundledFixturesDir, loadCaseTensors, loadFixtureSet, type FixtureCase } from './fixtures.js';
import { selectCases } from './manifest.js';
import { conformanceReport, runCaseOnTensors, type CaseReport, type ConformanceOptions, type ConformanceReport } from './run-case.js';

export type { CaseReport, ConformanceOptions, ConformanceReport } from './run-case.js';

/**
 * Runs one fixture case from disk on `backend`: forward outputs and traces and,
 * when asked and available, gradients. Never throws for a failing backend or a
 * malformed file: either becomes the case's `error`.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { bundledFixturesDir, loadFixtureSet, runCase } from '@sas/conformance';
 * const [first] = loadFixtureSet(bundledFixturesDir()).cases;
 * const report = await runCase(createReferenceBackend(), first, { tolerance: referenceProvider.tolerance('float64') });
 * report.passed; // true
 * ```
 */
export function runCase(backend: Backend, fixture: FixtureCase, options: ConformanceOptions): Promise<CaseReport> {
  return runCaseOnTensors(backend, fixture, () => loadCaseTensors(fixture), options);
}

/**
 * Holds a backend to the authors' numbers: runs every case of a fixture
 * directory and reports per-case, per-tensor errors against the tolerance.
 * A `cases` name matching no case is an `E_INPUT` error, and a run that
 * compares nothing does not pass.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { runConformance } from '@sas/conformance';
 * const report = await runConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64'), grads: true });
 * report.passed; // true
 * ```
 */
export async function runConformance(backend: Backend, options: ConformanceOptions): Promise<ConformanceReport> {
  const set = loadFixtureSet(options.fixturesDir ?? bundledFixturesDir());
  const cases: CaseReport[] = [];
  for (const fixture of selectCases(set, options.cases)) cases.push(await runCase(backend, fixture, options));
  return conformanceReport(backend, options, set.dir, cases);
}
