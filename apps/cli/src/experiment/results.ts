import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@sas/conformance';
import { SasError } from '@sas/core';
import type { LogPoint } from '@sas/studies';
import type { RunSummary } from '../train/summary.js';

/**
 * One line of `results.jsonl`: a finished run's `sas train --json` summary
 * (docs/training.md) with its run kind and seed first, and its checkpoint as
 * a file name relative to the out dir (so the results read the same wherever
 * the dir is moved).
 */
export type ResultLine = { readonly run: string; readonly seed: number } & RunSummary;

const isResult = (v: unknown): v is ResultLine =>
  typeof v === 'object' && v !== null && typeof (v as ResultLine).run === 'string' && Number.isInteger((v as ResultLine).seed);

/**
 * The complete lines of a JSON-lines file; a last line cut short by a kill
 * (no newline yet) is dropped, any other line that does not parse is an
 * `E_IO` error naming the file and line.
 */
function jsonLines(path: string): unknown[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a line cut short
  return lines.map((line, i) => {
    try {
      return JSON.parse(line);
    } catch {
      throw new SasError('E_IO', `${path}:${i + 1}: not a JSON line (${line.slice(0, 40)}…)`);
    }
  });
}

/**
 * The finished runs recorded in an experiment's `results.jsonl` (none when
 * the file does not exist yet).
 *
 * @example
 * ```ts
 * readResults('out/results.jsonl').map((r) => `${r.run}.seed${r.seed}`); // ['mha.seed1', …]
 * ```
 */
export function readResults(path: string): ResultLine[] {
  if (!existsSync(path)) return [];
  return jsonLines(path).map((line, i) => {
    if (!isResult(line)) throw new SasError('E_IO', `${path}:${i + 1}: not a result line (expected {run, seed, …})`);
    return line;
  });
}

/**
 * Appends a finished run's line. A line cut short by an earlier kill is
 * dropped first, so the new one starts on a line of its own.
 *
 * @example
 * ```ts
 * appendResult('out/results.jsonl', { run: 'sas', seed: 1, ...summary });
 * ```
 */
export function appendResult(path: string, line: ResultLine): void {
  try {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text !== '' && !text.endsWith('\n')) writeFileAtomic(path, text.slice(0, text.lastIndexOf('\n') + 1), { force: true });
    }
    appendFileSync(path, `${JSON.stringify(line)}\n`);
  } catch (e) {
    if (e instanceof SasError) throw e;
    throw new SasError('E_IO', `${path}: cannot append (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Rewrites `results.jsonl` with its lines in `order` (the spec's runs,
 * seed-major), lines of runs the spec no longer has kept at the end, so the
 * file does not depend on which run finished first.
 *
 * @example
 * ```ts
 * sortResults('out/results.jsonl', ['mha.seed1', 'sas.seed1', 'mha.seed2', 'sas.seed2']);
 * ```
 */
export function sortResults(path: string, order: readonly string[]): void {
  const lines = readResults(path);
  const rank = (l: ResultLine) => {
    const i = order.indexOf(`${l.run}.seed${l.seed}`);
    return i < 0 ? order.length : i;
  };
  const sorted = lines.map((l, i) => ({ l, i })).sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i);
  writeFileAtomic(path, sorted.map(({ l }) => `${JSON.stringify(l)}\n`).join(''), { force: true });
}

/**
 * A run's evaluation log (`--log`, docs/training.md) as the report reads
 * it; empty when the file is missing.
 *
 * @example
 * ```ts
 * readRunLog('out/sas.seed1.jsonl').at(-1); // { step: 1500, wallSeconds: 2410.3, valLoss: 0.41, accuracy: 0.93 }
 * ```
 */
export function readRunLog(path: string): LogPoint[] {
  if (!existsSync(path)) return [];
  return jsonLines(path).map((l) => {
    const e = l as Partial<LogPoint>;
    if (typeof e.step !== 'number' || typeof e.wallSeconds !== 'number' || typeof e.valLoss !== 'number')
      throw new SasError('E_IO', `${path}: not an evaluation log (expected lines {step, wallSeconds, valLoss, …})`);
    return { step: e.step, wallSeconds: e.wallSeconds, valLoss: e.valLoss, ...(typeof e.accuracy === 'number' ? { accuracy: e.accuracy } : {}) };
  });
}
