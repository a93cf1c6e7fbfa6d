import { mean, type SeedStat, seedStat } from './stats.js';
import type { FinishedRun, Metric, Study } from './types.js';

/** A run kind counts as solving MQAR when its mean final recall accuracy over seeds reaches this (issue #14). */
export const SOLVED_AT = 0.9;

/** One run kind of a study, over the seeds that finished. */
export interface KindSummary {
  readonly run: string;
  /** The spec's seeds that finished, and those that did not (yet). */
  readonly seedsDone: readonly number[];
  readonly seedsMissing: readonly number[];
  /** Final validation loss over seeds. */
  readonly valLoss: SeedStat | null;
  /** mqar: final recall accuracy over seeds; null for brown or before any seed finished. */
  readonly accuracy: SeedStat | null;
  /** mqar: mean accuracy ≥ SOLVED_AT; null for brown or before any seed finished. */
  readonly solved: boolean | null;
  readonly attention: string | null;
  readonly params: number | null;
  readonly trainableParams: number | null;
  /** Means over the finished seeds. */
  readonly tokensPerSecond: number | null;
  readonly wallSeconds: number | null;
  /** Where the seeds ran (`ndarray (cpu)`), distinct values in the order met. */
  readonly backends: readonly string[];
}

const present = (values: readonly (number | null | undefined)[]): number[] => values.filter((v): v is number => typeof v === 'number');

/** The finished runs of one kind, in the spec's seed order. */
function runsOf(study: Study, run: string): FinishedRun[] {
  return study.seeds.flatMap((seed) => study.finished.filter((f) => f.result.run === run && f.result.seed === seed).slice(0, 1));
}

/**
 * Per run kind, in the spec's order: which seeds finished, the final
 * validation loss (and recall accuracy on mqar) as mean ± sample std over
 * them, whether MQAR counts as solved, params, and mean tokens/s and wall time.
 *
 * @example
 * ```ts
 * const result = { run: 'mha', seed: 1, task: 'mqar', attention: 'mha', params: 100, trainableParams: 100, steps: 10,
 *   valLoss: 1.5, accuracy: 0.95, tokensPerSecond: 1000, wallSeconds: 3, backend: 'ndarray', mode: 'cpu' } as const;
 * summarizeKinds({ name: 'demo', task: 'mqar', runs: ['mha'], seeds: [1, 2], finished: [{ result, log: [] }] })[0];
 * // { run: 'mha', seedsDone: [1], seedsMissing: [2], accuracy: { n: 1, mean: 0.95, std: null, … }, solved: true, … }
 * ```
 */
export function summarizeKinds(study: Study): KindSummary[] {
  return study.runs.map((run) => {
    const runs = runsOf(study, run);
    const results = runs.map((f) => f.result);
    const done = results.map((r) => r.seed);
    const accuracy = study.task === 'mqar' ? seedStat(present(results.map((r) => r.accuracy))) : null;
    const tokensPerSecond = present(results.map((r) => r.tokensPerSecond));
    return {
      run,
      seedsDone: done,
      seedsMissing: study.seeds.filter((s) => !done.includes(s)),
      valLoss: seedStat(present(results.map((r) => r.valLoss))),
      accuracy,
      solved: accuracy === null ? null : accuracy.mean >= SOLVED_AT,
      attention: results[0]?.attention ?? null,
      params: results[0]?.params ?? null,
      trainableParams: results[0]?.trainableParams ?? null,
      tokensPerSecond: tokensPerSecond.length ? mean(tokensPerSecond) : null,
      wallSeconds: results.length ? mean(results.map((r) => r.wallSeconds)) : null,
      backends: [...new Set(results.map((r) => `${r.backend} (${r.mode})`))],
    };
  });
}

/** A point of a curve: a score at a step, and the wall time it was reached at. */
export interface CurvePoint {
  readonly step: number;
  readonly wallSeconds: number;
  readonly value: number;
}

/** One line of a plot: a run kind's seed, or (seed null) the kind's mean over seeds. */
export interface Curve {
  readonly run: string;
  readonly seed: number | null;
  readonly points: readonly CurvePoint[];
}

const scoreOf = (metric: Metric, p: { valLoss: number; accuracy?: number }) => (metric === 'accuracy' ? p.accuracy : p.valLoss);

/**
 * The curves of a score against step and wall time: every finished seed's
 * own, and per run kind the mean over its seeds at each step every one of
 * them evaluated (value and wall time both averaged, so the mean line sits
 * among its seeds on a wall-time axis too).
 *
 * @example
 * ```ts
 * const log = (v: number) => [{ step: 10, wallSeconds: 1, valLoss: v }];
 * const result = (seed: number) => ({ run: 'sas', seed, task: 'brown', attention: 'sas', params: 1, trainableParams: 1, steps: 10,
 *   valLoss: 0, tokensPerSecond: 1, wallSeconds: 1, backend: 'ndarray', mode: 'cpu' }) as const;
 * const study = { name: 'd', task: 'brown', runs: ['sas'], seeds: [1, 2],
 *   finished: [{ result: result(1), log: log(2) }, { result: result(2), log: log(3) }] } as const;
 * studyCurves(study, 'valLoss').means[0].points; // [{ step: 10, wallSeconds: 1, value: 2.5 }]
 * ```
 */
export function studyCurves(study: Study, metric: Metric): { seeds: Curve[]; means: Curve[] } {
  const seeds: Curve[] = [];
  const means: Curve[] = [];
  for (const run of study.runs) {
    const runs = runsOf(study, run);
    const own = runs.map((f) => ({
      run,
      seed: f.result.seed as number | null,
      points: f.log.flatMap((p) => {
        const value = scoreOf(metric, p);
        return typeof value === 'number' ? [{ step: p.step, wallSeconds: p.wallSeconds, value }] : [];
      }),
    }));
    seeds.push(...own);
    if (own.length === 0) continue;
    const steps = own[0].points.map((p) => p.step).filter((step) => own.every((c) => c.points.some((p) => p.step === step)));
    means.push({
      run,
      seed: null,
      points: steps.map((step) => {
        const at = own.map((c) => c.points.find((p) => p.step === step)!);
        return { step, wallSeconds: mean(at.map((p) => p.wallSeconds)), value: mean(at.map((p) => p.value)) };
      }),
    });
  }
  return { seeds, means };
}
