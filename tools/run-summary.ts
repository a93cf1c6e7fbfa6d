// Counts a vitest run the way its exit code judges it, for the closing line.
import type { TestCase, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';

/** One entry of the lists printed above the closing line. */
export interface SummaryEntry {
  /** `[project] file > suite > test`, control characters escaped. */
  readonly name: string;
  /** Why it failed or was skipped, when known (one line). */
  readonly why?: string;
}

/** What the closing line reports. */
export interface RunSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: readonly SummaryEntry[];
  readonly skips: readonly SummaryEntry[];
}

/**
 * Escapes control characters (a newline, a carriage return, an ANSI escape)
 * so a name prints as one line and cannot forge another line of the report.
 *
 * @example
 * ```ts
 * printable('a\nPASS b'); // 'a\\nPASS b'
 * ```
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const firstLine = (s: string | undefined) => (s === undefined ? undefined : printable(s.split('\n')[0]));

function label(entity: TestCase | TestSuite | TestModule): string {
  const project = entity.project.name ? `[${entity.project.name}] ` : '';
  const file = entity.type === 'module' ? entity.relativeModuleId : entity.module.relativeModuleId;
  return printable(entity.type === 'module' ? `${project}${file}` : `${project}${file} > ${entity.fullName}`);
}

/** The nearest enclosing suite or module that failed with errors of its own (a hook, a suite body, an import). */
function failedAncestor(test: TestCase): TestSuite | TestModule | undefined {
  for (let p: TestSuite | TestModule = test.parent; ; p = p.parent) {
    if (p.errors().length > 0) return p;
    if (p.type === 'module') return undefined;
  }
}

/**
 * Counts a finished run so that `failed > 0` exactly when vitest exits
 * non-zero: failed tests; tests meant to run that were skipped because a
 * `beforeAll` or their suite failed; suites and files that failed on their
 * own (an import error, a throwing suite body, an `afterAll`) where no test
 * shows it; errors outside any test; and, as a backstop, a run vitest calls
 * failed for any other reason (no test files found).
 *
 * @example
 * ```ts
 * // in a Reporter: onTestRunEnd(modules, errors, reason) { summarizeRun(modules, errors, reason).failed }
 * ```
 */
export function summarizeRun(modules: readonly TestModule[], unhandledErrors: readonly unknown[], reason: TestRunEndReason): RunSummary {
  let passed = 0;
  const failures: SummaryEntry[] = [];
  const skips: SummaryEntry[] = [];
  const shown = new Set<TestSuite | TestModule>(); // failed suites whose failure some test already shows
  for (const mod of modules) {
    for (const test of mod.children.allTests()) {
      const result = test.result();
      if (result.state === 'passed') passed++;
      else if (result.state === 'failed') failures.push({ name: label(test), why: firstLine(result.errors[0]?.message) });
      else {
        const broken = test.options.mode === 'run' || test.options.mode === 'only' ? failedAncestor(test) : undefined;
        if (broken) {
          shown.add(broken);
          failures.push({ name: label(test), why: `did not run: ${firstLine(broken.errors()[0]?.message) ?? 'its suite failed'}` });
        } else skips.push({ name: label(test), why: result.state === 'skipped' ? firstLine(result.note) : 'never finished' });
      }
    }
    for (const entity of [mod, ...mod.children.allSuites()]) {
      if (entity.errors().length > 0 && !shown.has(entity)) failures.push({ name: label(entity), why: firstLine(entity.errors()[0].message) });
    }
  }
  for (const e of unhandledErrors) failures.push({ name: 'unhandled error', why: firstLine((e as { message?: string })?.message ?? String(e)) });
  if (reason !== 'passed' && failures.length === 0)
    failures.push({ name: 'the run', why: reason === 'interrupted' ? 'interrupted' : 'vitest reported it failed' });
  return { passed, failed: failures.length, skipped: skips.length, failures, skips };
}

/**
 * The text printed at the end of a run: skipped tests with their reasons,
 * the failures, then the closing line `N passed, N failed, N skipped`.
 *
 * @example
 * ```ts
 * formatRunSummary({ passed: 3, failed: 0, skipped: 0, failures: [], skips: [] }); // '\n3 passed, 0 failed, 0 skipped\n'
 * ```
 */
export function formatRunSummary(s: RunSummary): string {
  const list = (title: string, entries: readonly SummaryEntry[]) =>
    entries.length === 0 ? [] : [`${title} (${entries.length}):`, ...entries.map((e) => `  ${e.name}${e.why ? ` — ${e.why}` : ''}`)];
  const lines = [...list('skipped', s.skips), ...list('failed', s.failures), `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`];
  return `\n${lines.join('\n')}\n`;
}
