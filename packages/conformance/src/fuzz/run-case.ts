import { createReferenceBackend, type Backend, type Tolerance } from '@sas/core';
import { compareTensors, type TensorComparison } from '../compare.js';
import { describeFuzzCase, type FuzzCase } from './cases.js';
import { prepareFuzzCase } from './prepare.js';
import { knownIssueFor, type KnownIssue } from './regressions.js';

/** Options of `runFuzzCase`. */
export interface FuzzCaseOptions {
  readonly tolerance: Tolerance;
  /** Also compare gradients (default true; false for forward-only backends such as ONNX Runtime). */
  readonly grads?: boolean;
  /** The float64 oracle (default: a fresh reference backend). */
  readonly oracle?: Backend;
  /** Known defects that limit or skip cases (default: `KNOWN_ISSUES`, none open). */
  readonly knownIssues?: readonly KnownIssue[];
}

/** How one case went on a backend. */
export interface FuzzCaseReport {
  readonly description: string;
  /** Compared and agreed. A skipped case has not passed: it was never compared. */
  readonly passed: boolean;
  /** Forward outputs then `grad.*`, each against the oracle. */
  readonly checks: readonly TensorComparison[];
  /** Set when the backend threw on a case the oracle runs. */
  readonly error?: string;
  /** Set when a known defect (regressions.ts) limited the case to its forward pass, or skipped it. */
  readonly knownIssue?: string;
  /** True when a known defect kept the case from running at all. */
  readonly skipped?: boolean;
}

/**
 * Runs one fuzz case on `backend` and on the float64 reference and compares
 * every output (and gradient) within the backend's tolerance. A case that
 * runs into a known defect (`KNOWN_ISSUES`) is checked forward only, or not
 * at all (`skipped`, and then not `passed`). A backend that
 * throws fails the case; the oracle throwing means the case itself is invalid,
 * and that propagates.
 *
 * @example
 * ```ts
 * import { referenceProvider } from '@sas/core';
 * import { runFuzzCase } from '@sas/conformance';
 * const backend = await referenceProvider.create();
 * const report = await runFuzzCase(backend, { kind: 'op', op: 'Exp', shapes: [[2]], attrs: {}, domains: ['normal'], seed: 1 }, { tolerance: referenceProvider.tolerance('float64') });
 * report.passed; // true
 * ```
 */
export async function runFuzzCase(backend: Backend, c: FuzzCase, options: FuzzCaseOptions): Promise<FuzzCaseReport> {
  const known = knownIssueFor(c, { grads: options.grads ?? true, backend: backend.name, mode: backend.mode }, options.knownIssues);
  const description = describeFuzzCase(c);
  if (known?.effect === 'skip') return { description, passed: false, checks: [], knownIssue: known.id, skipped: true };
  const grads = (options.grads ?? true) && !known;
  const p = prepareFuzzCase(c, backend.dtypes[0], grads);
  const oracle = options.oracle ?? createReferenceBackend();
  const expected = await oracle.run(p.oracleGraph, p.oracleFeeds, { outputs: p.outputs });
  let actual: Awaited<ReturnType<Backend['run']>>;
  try {
    actual = await backend.run(p.graph, p.feeds, { outputs: p.outputs });
  } catch (e) {
    return { description, passed: false, checks: [], error: (e as Error).message, knownIssue: known?.id };
  }
  const { atol, rtol, gradAtol, gradRtol } = options.tolerance;
  const checks = p.outputs.map((name) => {
    const isGrad = name.startsWith('grad.');
    return compareTensors(name, actual[name], expected[name], isGrad ? gradAtol : atol, isGrad ? gradRtol : rtol);
  });
  return { description, passed: checks.every((k) => k.passed), checks, knownIssue: known?.id };
}

/**
 * A failed case as a few lines: what ran, and each tensor beyond tolerance.
 *
 * @example
 * ```ts
 * import { formatFuzzFailure } from '@sas/conformance';
 * formatFuzzFailure({ description: 'Exp [2] {} seed 1', passed: false, checks: [], error: 'boom' });
 * // 'Exp [2] {} seed 1: threw: boom'
 * ```
 */
export function formatFuzzFailure(r: FuzzCaseReport): string {
  if (r.skipped) return `${r.description}: skipped: known issue ${r.knownIssue}`;
  if (r.error !== undefined) return `${r.description}: threw: ${r.error}`;
  const bad = r.checks
    .filter((k) => !k.passed)
    .map((k) => `  ${k.name}: ${k.problem ?? `max |err| ${k.maxAbs.toExponential(2)} (rel ${k.maxRel.toExponential(2)}) at element ${k.worstIndex}`}`);
  return [`${r.description}:`, ...bad].join('\n');
}
