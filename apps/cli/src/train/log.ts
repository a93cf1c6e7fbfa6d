import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@sas/conformance';
import { SasError } from '@sas/core';
import type { Evaluation } from './progress.js';

/**
 * The --log file: JSON lines, one per evaluation. A new run refuses an
 * existing file unless `force`. A resume keeps the lines up to the
 * checkpoint's step and drops the rest (lines a stopped run wrote after its
 * last checkpoint, and a line cut short by a kill), so the finished log equals
 * an uninterrupted run's.
 *
 * @example
 * ```ts
 * const log = openEvaluationLog('run.jsonl', { resumeAt: undefined, force: false });
 * log.append({ step: 100, tokens: 204800, wallSeconds: 41.2, lr: 0.002, trainLoss: 2.5, valLoss: 2.6 });
 * ```
 */
export function openEvaluationLog(path: string, options: { resumeAt: number | undefined; force: boolean }): { append(e: Evaluation): void } {
  if (options.resumeAt === undefined) {
    if (existsSync(path) && !options.force)
      throw new SasError('E_IO', `--log ${path}: file exists (use --force to overwrite, or --resume to continue its run)`);
    writeFileAtomic(path, '', { force: options.force });
  } else {
    const kept = existsSync(path) ? keptLines(readFileSync(path, 'utf8'), options.resumeAt) : [];
    writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''), { force: true });
  }
  return {
    append(e) {
      try {
        appendFileSync(path, `${JSON.stringify(e)}\n`);
      } catch (err) {
        throw new SasError('E_IO', `--log ${path}: cannot append (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    },
  };
}

/** The complete lines of a log whose step is at most `step`. */
function keptLines(text: string, step: number): string[] {
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop(); // cut short by a kill
  return lines.filter((line) => {
    try {
      const e = JSON.parse(line) as Partial<Evaluation>;
      return typeof e.step === 'number' && e.step <= step;
    } catch {
      return false;
    }
  });
}
