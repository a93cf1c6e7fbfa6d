// Prints the plain closing line CI reads, "N passed, N failed, N skipped",
// after the skipped and failed tests by name. Listed last in vitest.config.ts
// so the line is the last one vitest prints; it agrees with vitest's exit code
// (tools/run-summary.ts says how hooks, suites and files are counted).
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import { formatRunSummary, summarizeRun } from './run-summary.js';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly unknown[], reason: TestRunEndReason): void {
    process.stdout.write(formatRunSummary(summarizeRun(testModules, unhandledErrors, reason)));
  }
}
