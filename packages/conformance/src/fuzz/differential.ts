import { createReferenceBackend, type Backend, type Tolerance } from '@sas/core';
import type { FuzzCase } from './cases.js';
import type { KnownIssue } from './regressions.js';
import { runFuzzCase, type FuzzCaseReport } from './run-case.js';

/** Options of `fuzzBackend`. */
export interface FuzzOptions {
  readonly tolerance: Tolerance;
  /** Compare gradients too (default true). */
  readonly grads?: boolean;
  /** Random layer cases (forward + gradients of a whole SAS/MHA/GQA/MQA layer). Default 250. */
  readonly layerRuns?: number;
  /** Random single-op cases (all 21 primitives, zero-size shapes included). Default 250. */
  readonly opRuns?: number;
  /** fast-check seed (default: random; it is reported so a failure can be replayed). */
  readonly seed?: number;
  /** Known defects that limit or skip cases (default: `KNOWN_ISSUES`, none open). */
  readonly knownIssues?: readonly KnownIssue[];
}

/** One fast-check property's outcome. */
export interface FuzzRun {
  /** Cases compared (generated, run and checked; shrink attempts and skipped cases not included). */
  readonly runs: number;
  /** Shrink steps taken after a failure. */
  readonly shrinks: number;
  /** Cases a known defect limited (forward only: part of `runs`) or skipped (not part of it), by issue id. */
  readonly knownIssueHits: Readonly<Record<string, number>>;
  /** Cases skipped outright by a known defect: never compared, so neither passed nor in `runs` (fast-check draws another in their place). */
  readonly skipped: number;
  readonly seed: number;
  /** The smallest failing case fast-check found, and its report. */
  readonly counterexample?: FuzzCase;
  readonly failure?: FuzzCaseReport;
  /** Replay path for fast-check (`{ seed, path }`). */
  readonly path?: string;
}

/** The outcome of fuzzing one backend. */
export interface FuzzReport {
  readonly backend: string;
  readonly mode: string;
  readonly layer: FuzzRun;
  readonly op: FuzzRun;
  /** layer.runs + op.runs */
  readonly total: number;
  readonly passed: boolean;
}

/**
 * Property-based differential test of one backend against the float64
 * reference: `layerRuns` random layers and `opRuns` random single ops, each
 * forward and (unless `grads: false`) backward, compared within `tolerance`.
 * A disagreement is shrunk by fast-check to a small case, returned ready to be
 * pasted into `regressions.ts`.
 *
 * @example
 * ```ts
 * import { ndarrayProvider } from '@sas/backend-ndarray';
 * import { fuzzBackend } from '@sas/conformance';
 * const backend = await ndarrayProvider.create({ mode: 'cpu' });
 * const report = await fuzzBackend(backend, { tolerance: ndarrayProvider.tolerance('cpu'), layerRuns: 50, opRuns: 50 });
 * console.log(`${report.total} cases, ${report.passed ? 'no disagreement' : 'disagreement found'}`);
 * ```
 */
export async function fuzzBackend(backend: Backend, options: FuzzOptions): Promise<FuzzReport> {
  // fast-check is loaded only here, so importing @sas/conformance does not need it.
  const { default: fc } = await import('fast-check');
  const { layerCaseArbitrary, opCaseArbitrary } = await import('./arbitraries.js');
  const oracle = createReferenceBackend();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const caseOptions = { tolerance: options.tolerance, grads: options.grads ?? true, oracle, knownIssues: options.knownIssues };

  const check = async (arbitrary: import('fast-check').Arbitrary<FuzzCase>, numRuns: number, runSeed: number): Promise<FuzzRun> => {
    const knownIssueHits: Record<string, number> = {};
    let skipped = 0;
    let shrinking = false;
    if (numRuns === 0) return { runs: 0, shrinks: 0, seed: runSeed, knownIssueHits, skipped };
    const property = fc.asyncProperty(arbitrary, async (c) => {
      const r = await runFuzzCase(backend, c, caseOptions);
      if (!shrinking && r.knownIssue) knownIssueHits[r.knownIssue] = (knownIssueHits[r.knownIssue] ?? 0) + 1;
      if (r.skipped) {
        if (!shrinking) skipped++;
        // A precondition failure: fast-check counts the case as skipped, not run, and draws another.
        // (Called through a plain function type: an assertion signature needs an annotated name.)
        (fc.pre as (condition: boolean) => void)(false);
      }
      if (!r.passed) shrinking = true; // later calls are fast-check shrinking, not new cases
      return r.passed;
    });
    const details = await fc.check(property, { numRuns, seed: runSeed });
    if (!details.failed) return { runs: details.numRuns, shrinks: 0, seed: runSeed, knownIssueHits, skipped };
    if (!details.counterexample) throw details.errorInstance ?? new Error('fast-check failed without a counterexample');
    const [counterexample] = details.counterexample;
    return {
      runs: details.numRuns,
      shrinks: details.numShrinks,
      knownIssueHits,
      skipped,
      seed: runSeed,
      counterexample,
      failure: await runFuzzCase(backend, counterexample, caseOptions),
      path: details.counterexamplePath ?? undefined,
    };
  };

  const layer = await check(layerCaseArbitrary, options.layerRuns ?? 250, seed);
  const op = await check(opCaseArbitrary, options.opRuns ?? 250, seed + 1);
  return { backend: backend.name, mode: backend.mode, layer, op, total: layer.runs + op.runs, passed: !layer.counterexample && !op.counterexample };
}
