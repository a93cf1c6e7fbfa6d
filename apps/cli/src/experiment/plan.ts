import { join } from 'node:path';
import { SasError } from '@sas/core';
import type { RunOptions } from '../train/options.js';
import { type ExperimentSpec, optionFlags, type RunSession } from './spec.js';

/** One run × seed of an experiment, with where its files go. */
export interface PlannedRun {
  readonly run: string;
  readonly seed: number;
  /** `<run>.seed<seed>`: names its files and its lines. */
  readonly id: string;
  /** Every run option, defaults written out (what its summary and checkpoint hold). */
  readonly options: RunOptions;
  /** The `sas train` flags of the run (the spec's options, task and seed); the experiment adds checkpoint, log and session flags. */
  readonly trainFlags: readonly string[];
  readonly session: RunSession;
  readonly checkpoint: string;
  readonly log: string;
}

/** Which run kinds and seeds to run (`--runs`, `--seeds`); all when absent. */
export interface PlanFilter {
  readonly runs?: readonly string[];
  readonly seeds?: readonly number[];
}

/**
 * Where a run's files go in the out dir.
 *
 * @example
 * ```ts
 * runFiles('out', 'sas.seed1'); // { checkpoint: 'out/sas.seed1.ckpt', log: 'out/sas.seed1.jsonl' }
 * ```
 */
export function runFiles(outDir: string, id: string): { checkpoint: string; log: string } {
  return { checkpoint: join(outDir, `${id}.ckpt`), log: join(outDir, `${id}.jsonl`) };
}

/**
 * The runs of an experiment, seed-major (every kind's first seed, then
 * every kind's second, …: a stopped study has the first seeds of every kind
 * to compare, as the PyTorch twin orders them), restricted to `filter`,
 * whose names and seeds must be the spec's.
 *
 * @example
 * ```ts
 * planRuns(spec, 'out', { seeds: [1] }).map((r) => r.id); // ['mha.seed1', 'sas.seed1']
 * ```
 */
export function planRuns(spec: ExperimentSpec, outDir: string, filter: PlanFilter = {}): PlannedRun[] {
  const names = spec.runs.map((r) => r.name);
  for (const name of filter.runs ?? [])
    if (!names.includes(name)) throw new SasError('E_INPUT', `--runs: '${name}' is not a run of ${spec.path} (its runs: ${names.join(', ')})`);
  for (const seed of filter.seeds ?? [])
    if (!spec.seeds.includes(seed)) throw new SasError('E_INPUT', `--seeds: ${seed} is not a seed of ${spec.path} (its seeds: ${spec.seeds.join(', ')})`);
  const seeds = spec.seeds.filter((s) => !filter.seeds || filter.seeds.includes(s));
  const runs = spec.runs.filter((r) => !filter.runs || filter.runs.includes(r.name));
  return seeds.flatMap((seed) =>
    runs.map((r) => {
      const id = `${r.name}.seed${seed}`;
      return {
        run: r.name,
        seed,
        id,
        options: { ...r.options, seed },
        trainFlags: ['--task', spec.task, ...optionFlags(r.given), '--seed', String(seed)],
        session: r.session,
        ...runFiles(outDir, id),
      };
    }),
  );
}

/**
 * The first option where a finished run's recorded options differ from what
 * the spec asks now, as `key (recorded → now)`; undefined when they agree.
 * A changed spec must not mix old results into a new study silently.
 *
 * @example
 * ```ts
 * optionChange({ ...options, lr: 0.003 }, { ...options, lr: 0.002 }); // 'lr (0.003 → 0.002)'
 * ```
 */
export function optionChange(recorded: RunOptions, planned: RunOptions): string | undefined {
  for (const key of Object.keys(planned) as (keyof RunOptions)[])
    if (recorded[key] !== planned[key]) return `${key} (${JSON.stringify(recorded[key])} → ${JSON.stringify(planned[key])})`;
  return undefined;
}
