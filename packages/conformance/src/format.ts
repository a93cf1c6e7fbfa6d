import { printable } from '@sas/core';
import type { CaseReport, ConformanceReport } from './run-case.js';

const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/** One case as readable lines: verdict, then each failing tensor (or the error). */
export function formatCase(c: CaseReport): string {
  const worst = c.checks.reduce((m, k) => Math.max(m, k.maxAbs), 0);
  // Names and messages come from files: escaped, so a case name cannot forge a PASS line.
  const head = `${c.passed ? 'PASS' : 'FAIL'}  ${printable(c.name).padEnd(24)} ${printable(c.kind).padEnd(4)} ${c.checks.length} tensors${c.gradsChecked ? ' (with grads)' : ''}  max|err| ${fmt(worst)}`;
  const lines = [head];
  if (c.error) lines.push(`      error: ${printable(c.error)}`);
  for (const k of c.checks) {
    if (!k.passed)
      lines.push(
        `      ${printable(k.name)}: max|err| ${fmt(k.maxAbs)}, max rel ${fmt(k.maxRel)}${k.problem ? `, ${k.problem}` : `, worst element ${k.worstIndex}`}`,
      );
  }
  return lines.join('\n');
}

/**
 * The whole report as text, ending with a one-line verdict.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { runConformance, formatReport } from '@sas/conformance';
 * console.log(formatReport(await runConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64') })));
 * ```
 */
export function formatReport(r: ConformanceReport): string {
  const passed = r.cases.filter((c) => c.passed).length;
  const t = r.tolerance;
  return [
    `conformance: backend ${r.backend} (${r.mode}), ${r.dtype}, fixtures ${printable(r.fixturesDir)}`,
    `tolerance: |a−e| ≤ ${t.atol} + ${t.rtol}·|e|${r.grads ? `; gradients ${t.gradAtol} + ${t.gradRtol}·|e|` : ''}`,
    ...r.cases.map(formatCase),
    ...(r.grads ? [`gradients compared in ${r.cases.filter((c) => c.gradsChecked).length}/${r.cases.length} cases`] : []),
    `${r.passed ? 'OK' : 'FAILED'}: ${passed}/${r.cases.length} cases passed${r.problem ? `; ${r.problem}` : ''}`,
  ].join('\n');
}
