import { SasError } from '@sas/core';
import { type KindSummary, SOLVED_AT } from './aggregate.js';
import { type SeedStat, seedStat } from './stats.js';

/** One run kind of a twin's `summary.json` (bench/torch/README.md): the final recall accuracy of each finished seed. */
export interface TwinKind {
  readonly run: string;
  readonly seedsDone: readonly number[];
  readonly accuracies: readonly number[];
}

/** What a report reads of the PyTorch twin's `summary.json`. */
export interface TwinSummary {
  /** The spec it ran (its `name`). */
  readonly spec: string;
  /** Who made it (`pytorch 1.13.0a0 (bench/torch/mqar_twin.py)`). */
  readonly implementation: string;
  readonly machine: string | null;
  readonly written: string | null;
  readonly runs: readonly TwinKind[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberList = (v: unknown, integer: boolean): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!integer || Number.isInteger(x)));

/**
 * Parses and checks a twin's `summary.json`; anything unexpected is one
 * `E_INPUT` line naming the file and the field.
 *
 * @example
 * ```ts
 * parseTwinSummary('{"spec":"mqar","implementation":"pytorch","runs":[{"run":"mha","seedsDone":[1],"accuracies":[0.97]}]}', 'summary.json');
 * // { spec: 'mqar', implementation: 'pytorch', machine: null, written: null, runs: [{ run: 'mha', seedsDone: [1], accuracies: [0.97] }] }
 * ```
 */
export function parseTwinSummary(text: string, source: string): TwinSummary {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SasError('E_INPUT', `${source}: not valid JSON (${(e as Error).message})`);
  }
  const bad = (field: string, expected: string, got: unknown) =>
    new SasError('E_INPUT', `${source}: ${field}: expected ${expected}, got ${JSON.stringify(got)?.slice(0, 60) ?? 'nothing'}`);
  if (!isObject(json)) throw bad('the file', 'a JSON object (a twin summary.json)', json);
  if (typeof json.spec !== 'string') throw bad('spec', "the spec's name", json.spec);
  if (!Array.isArray(json.runs)) throw bad('runs', 'a list of run kinds', json.runs);
  const runs = json.runs.map((r: unknown, i: number): TwinKind => {
    if (!isObject(r) || typeof r.run !== 'string') throw bad(`runs[${i}].run`, 'a run name', isObject(r) ? r.run : r);
    const seedsDone = r.seedsDone ?? [];
    const accuracies = r.accuracies ?? [];
    if (!isNumberList(seedsDone, true)) throw bad(`run '${r.run}' seedsDone`, 'a list of seeds', seedsDone);
    if (!isNumberList(accuracies, false) || accuracies.length !== seedsDone.length || accuracies.some((a) => a < 0 || a > 1))
      throw bad(`run '${r.run}' accuracies`, `${seedsDone.length} accuracies in [0, 1], one per seed done`, accuracies);
    return { run: r.run, seedsDone, accuracies };
  });
  const textOrNull = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    spec: json.spec,
    implementation: textOrNull(json.implementation) ?? 'the twin',
    machine: textOrNull(json.machine),
    written: textOrNull(json.written),
    runs,
  };
}

/** One run kind, ours against the twin's. */
export interface TwinComparison {
  readonly run: string;
  /** Final recall accuracy over seeds; null where that side has no finished seed. */
  readonly ours: SeedStat | null;
  readonly twin: SeedStat | null;
  readonly oursSolved: boolean | null;
  readonly twinSolved: boolean | null;
  /** Both solved or both not; null unless both sides have seeds. */
  readonly sameOutcome: boolean | null;
  /** ours − twin, in accuracy (0..1). */
  readonly difference: number | null;
  /** The seed spread the difference is held against: the larger of the two sample standard deviations. */
  readonly spread: number | null;
  /** |difference| ≤ spread (two sides that agree exactly are within a spread of 0); null when either side has fewer than two seeds (no spread to hold it against). */
  readonly withinSpread: boolean | null;
}

/**
 * Compares each of our run kinds with the twin's of the same name: whether
 * both land in the same outcome (solved: mean final accuracy ≥ 90%, or not),
 * and whether their mean accuracies differ by no more than the seed spread,
 * taken as the larger of the two sample standard deviations over seeds.
 * Both sides' statistics are computed here from the per-seed accuracies, so
 * they are defined alike.
 *
 * @example
 * ```ts
 * const twin = { spec: 'mqar', implementation: 'pytorch', machine: null, written: null,
 *   runs: [{ run: 'sas', seedsDone: [1, 2], accuracies: [0.9, 1] }] };
 * const ours = { run: 'sas', accuracy: { n: 2, mean: 0.97, std: 0.02, min: 0.96, max: 0.98 } } as KindSummary;
 * compareWithTwin([ours], twin)[0]; // { sameOutcome: true, difference: 0.02…, spread: 0.0707…, withinSpread: true, … }
 * ```
 */
export function compareWithTwin(kinds: readonly KindSummary[], twin: TwinSummary): TwinComparison[] {
  return kinds.map((k) => {
    const theirs = twin.runs.find((r) => r.run === k.run);
    const t = theirs ? seedStat(theirs.accuracies) : null;
    const o = k.accuracy;
    const oursSolved = o === null ? null : o.mean >= SOLVED_AT;
    const twinSolved = t === null ? null : t.mean >= SOLVED_AT;
    const both = o !== null && t !== null;
    const difference = both ? o.mean - t.mean : null;
    const spread = both && o.std !== null && t.std !== null ? Math.max(o.std, t.std) : null;
    return {
      run: k.run,
      ours: o,
      twin: t,
      oursSolved,
      twinSolved,
      sameOutcome: both ? oursSolved === twinSolved : null,
      difference,
      spread,
      withinSpread: spread === null || difference === null ? null : Math.abs(difference) <= spread,
    };
  });
}
