import type { ModelCaseReport, ModelConformanceReport } from './run-case.js';
import { stepTolerance } from './tolerance.js';

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/**
 * One model case as readable lines: verdict, then each failing tensor (or the error).
 *
 * @example
 * ```ts
 * import { formatModelCase } from '@sas/conformance/portable';
 * console.log(formatModelCase(report.cases[0])); // PASS  lm-sas-step  sas  238 tensors  max|err| 3.46e-13
 * ```
 */
export function formatModelCase(c: ModelCaseReport): string {
  const worst = c.checks.reduce((m, k) => Math.max(m, k.maxAbs), 0);
  const lines = [`${c.passed ? 'PASS' : 'FAIL'}  ${c.name.padEnd(24)} ${c.kind.padEnd(4)} ${c.checks.length} tensors  max|err| ${fmt(worst)}`];
  if (c.error) lines.push(`      error: ${c.error}`);
  for (const k of c.checks) {
    if (!k.passed)
      lines.push(`      ${k.name}: max|err| ${fmt(k.maxAbs)}, max rel ${fmt(k.maxRel)}${k.problem ? `, ${k.problem}` : `, worst element ${k.worstIndex}`}`);
  }
  return lines.join('\n');
}

/**
 * The whole model report as text, ending with a one-line verdict.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { runModelConformance, formatModelReport } from '@sas/conformance';
 * console.log(formatModelReport(await runModelConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64') })));
 * ```
 */
export function formatModelReport(r: ModelConformanceReport): string {
  const passed = r.cases.filter((c) => c.passed).length;
  const t = r.tolerance;
  const step = stepTolerance(t);
  return [
    `model conformance: backend ${r.backend} (${r.mode}), ${r.dtype}, fixtures ${r.fixturesDir}`,
    `tolerance: |a−e| ≤ ${t.atol} + ${t.rtol}·|e| (logits, loss, loss_after_step1); ${t.gradAtol} + ${t.gradRtol}·|e| (grad.*, grad_norm); ${step.atol} + ${step.rtol}·|e| (step1.*, step2.*)`,
    ...r.cases.map(formatModelCase),
    ...(r.problem ? [`problem: ${r.problem}`] : []),
    `${r.passed ? 'OK' : 'FAILED'}: ${passed}/${r.cases.length} cases passed`,
  ].join('\n');
}
