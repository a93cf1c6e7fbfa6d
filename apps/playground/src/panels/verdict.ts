/**
 * A conformance run reduced to what the page shows: a verdict, how many
 * cases passed, the worst error against the fixtures, and the first failures.
 */
import type { CaseReport, ModelCaseReport } from '@sas/conformance/portable';

/** What one conformance row shows. */
export interface Verdict {
  readonly passed: boolean;
  readonly cases: number;
  readonly passedCases: number;
  /** Largest |actual − expected| over every compared tensor. */
  readonly worstAbs: number;
  /** The smallest t with atol = rtol = t that every tensor passes: max |a − e| / (1 + |e|). */
  readonly needed: number;
  /** Up to three failures, one line each. */
  readonly failures: readonly string[];
}

type AnyCase = Pick<CaseReport | ModelCaseReport, 'name' | 'passed' | 'checks' | 'error'>;

/**
 * The verdict of a list of case reports; a run with no case fails.
 *
 * @example
 * ```ts
 * summarise(report.cases).passed;
 * ```
 */
export function summarise(cases: readonly AnyCase[]): Verdict {
  const checks = cases.flatMap((c) => c.checks);
  const failures = cases
    .filter((c) => !c.passed)
    .map(
      (c) =>
        `${c.name}: ${c.error ?? c.checks.filter((k) => !k.passed).map((k) => `${k.name} off by ${k.maxAbs.toExponential(2)}${k.problem ? ` (${k.problem})` : ''}`)[0] ?? 'failed'}`,
    );
  return {
    passed: cases.length > 0 && cases.every((c) => c.passed),
    cases: cases.length,
    passedCases: cases.filter((c) => c.passed).length,
    worstAbs: Math.max(0, ...checks.map((k) => k.maxAbs).filter(Number.isFinite)),
    needed: Math.max(0, ...checks.map((k) => k.needed).filter(Number.isFinite)),
    failures: failures.slice(0, 3),
  };
}

/** Model-fixture checks that follow an AdamW update (the rest are the forward pass and gradients). */
export const isStepCheck = (name: string): boolean => /^(step1\.|step2\.|loss_after_step1$)/.test(name);
