import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, platform, totalmem } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@sas/conformance';
import { SasError } from '@sas/core';
import { type FinishedRun, parseTwinSummary, renderStudyReport, type Study, type StudyReport, type TwinSummary } from '@sas/studies';
import { runFiles } from './plan.js';
import { readResults, readRunLog } from './results.js';
import type { ExperimentSpec } from './spec.js';

/**
 * The twin's `summary.json` of `--twin DIR` (or the file itself), checked
 * against the spec: MQAR, and the twin of the spec of the same name.
 *
 * @example
 * ```ts
 * loadTwin('docs/results/mqar-torch', loadExperimentSpec('experiments/mqar.json')).summary.runs.length; // 9
 * ```
 */
export function loadTwin(path: string, spec: ExperimentSpec): { summary: TwinSummary; source: string } {
  const source = existsSync(path) && statSync(path).isDirectory() ? join(path, 'summary.json') : path;
  if (spec.task !== 'mqar') throw new SasError('E_INPUT', `--twin: the twin comparison is of MQAR recall accuracy, and ${spec.path} is task ${spec.task}`);
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    throw new SasError('E_IO', `--twin ${path}: cannot read ${source} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const summary = parseTwinSummary(text, source);
  if (summary.spec !== spec.name)
    throw new SasError('E_INPUT', `--twin ${path}: ${source} is the twin of spec '${summary.spec}', not of '${spec.name}' (${spec.path})`);
  return { summary, source };
}

/**
 * The machine, in one line: cores, CPU, memory, OS, Node.
 *
 * @example
 * ```ts
 * machineLine(); // '2 × AMD EPYC, 24 GiB, linux, Node v20.20.2'
 * ```
 */
export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()}, Node ${process.version}`;
}

/**
 * Renders the experiment's report from its out dir (every finished run of
 * the spec in `results.jsonl`, each with its log) and writes `results.md`
 * and the plots there, each atomically.
 *
 * @example
 * ```ts
 * const report = await writeExperimentReport(spec, 'results/mqar', { command: 'pnpm sas experiment experiments/mqar.json' });
 * ```
 */
export async function writeExperimentReport(
  spec: ExperimentSpec,
  outDir: string,
  context: { command?: string; date?: string; machine?: string },
  twin?: { summary: TwinSummary; source: string },
): Promise<StudyReport> {
  const runs = spec.runs.map((r) => r.name);
  const finished: FinishedRun[] = readResults(join(outDir, 'results.jsonl'))
    .filter((r) => runs.includes(r.run) && spec.seeds.includes(r.seed))
    .map((r) => ({ result: r, log: readRunLog(runFiles(outDir, `${r.run}.seed${r.seed}`).log) }));
  const study: Study = { name: spec.name, task: spec.task, runs, seeds: spec.seeds, finished };
  const report = await renderStudyReport(study, { date: new Date().toISOString().slice(0, 10), machine: machineLine(), ...context }, twin);
  for (const [name, content] of report.files) writeFileAtomic(join(outDir, name), content, { force: true });
  return report;
}
