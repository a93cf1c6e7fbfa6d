import { readFileSync } from 'node:fs';
import { SasError } from '@sas/core';
import { parseFlags } from '../args.js';
import { modelConfig } from '../train/model.js';
import { FLAG_OF, givenRunOptions, resolveRunOptions, type RunOptions, TASKS, TRAIN_FLAGS, type Task } from '../train/options.js';

/** Where one run kind trains (not part of the run: free to differ between a run and its resume). */
export interface RunSession {
  readonly backend?: string;
  readonly mode?: string;
  readonly threads?: number;
}

/** One run kind of a spec: its train options as the spec gives them (base merged in), and where it runs. */
export interface SpecRun {
  readonly name: string;
  /** The `sas train` options the spec sets, camelCase (task and seed come from the spec's top level). */
  readonly given: Readonly<Record<string, string | number | boolean>>;
  /** Every run option, defaults written out, for the spec's first seed. */
  readonly options: RunOptions;
  readonly session: RunSession;
}

/**
 * An experiment spec (experiments/README.md): run kinds × seeds of `sas
 * train`, the format shared with the PyTorch twin.
 */
export interface ExperimentSpec {
  readonly path: string;
  readonly name: string;
  readonly task: Task;
  readonly seeds: readonly number[];
  readonly runs: readonly SpecRun[];
}

/** The spec's keys for `sas train` options: every run option but task and seed, which the spec's top level gives. */
const OPTION_KEYS = Object.keys(FLAG_OF).filter((k) => k !== 'task' && k !== 'seed') as (keyof RunOptions)[];
const STRING_KEYS = new Set(['attention', 'init', 'freeze']);
const SESSION_KEYS = ['backend', 'mode', 'threads'] as const;
/** Set by the experiment itself, per run. */
const EXPERIMENT_KEYS = ['checkpoint', 'log', 'resume', 'force', 'until', 'json', 'verbose'];
const TOP_KEYS = ['name', 'task', 'seeds', 'base', 'runs', 'description'];
/** Run and spec names become file names (`<run>.seed<s>.ckpt`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const KEY_OF_FLAG: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(FLAG_OF).map(([key, flag]) => [flag, key]));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? 'nothing';

/** A `sas train` message in the spec's terms: `--sim-heads` → `simHeads`. */
function inSpecTerms(message: string): string {
  return message.replace(/--no-feature-maps\b/g, 'featureMaps: false').replace(/--([a-z][a-z-]*)/g, (flag, name: string) => KEY_OF_FLAG[name] ?? flag);
}

/**
 * The `sas train` flags of a spec run's options (camelCase key → `--flag
 * value`; `featureMaps: false` → `--no-feature-maps`).
 *
 * @example
 * ```ts
 * optionFlags({ simHeads: 8, featureMaps: false, lr: 0.003 }); // ['--sim-heads', '8', '--no-feature-maps', '--lr', '0.003']
 * ```
 */
export function optionFlags(options: Readonly<Record<string, string | number | boolean>>): string[] {
  return Object.entries(options).flatMap(([key, value]) => {
    if (key === 'featureMaps') return value === false ? ['--no-feature-maps'] : [];
    return [`--${FLAG_OF[key as keyof RunOptions]}`, String(value)];
  });
}

/** Checks one run's merged options: known keys, JSON types, then `sas train`'s own rules; errors name the run and the key. */
function checkRun(where: string, name: string, merged: Record<string, unknown>, task: Task, seed: number): SpecRun {
  const fail = (message: string) => new SasError('E_INPUT', `${where}: run '${name}': ${message}`);
  const given: Record<string, string | number | boolean> = {};
  const session: { backend?: string; mode?: string; threads?: number } = {};
  for (const [key, value] of Object.entries(merged)) {
    if (key === 'task') throw fail(`task: set it once, at the top of the spec (it is '${task}')`);
    if (key === 'seed') throw fail(`seed: seeds come from the spec's top-level 'seeds' list`);
    if (EXPERIMENT_KEYS.includes(key)) throw fail(`${key}: the experiment sets it for each run`);
    if (key === 'backend' || key === 'mode') {
      if (typeof value !== 'string' || value === '') throw fail(`${key}: expected a name, got ${show(value)}`);
      session[key] = value;
    } else if (key === 'threads') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw fail(`threads: expected an integer ≥ 1, got ${show(value)}`);
      session.threads = value;
    } else if (OPTION_KEYS.includes(key as keyof RunOptions)) {
      const expected = key === 'featureMaps' ? 'boolean' : STRING_KEYS.has(key) ? 'string' : 'number';
      if (typeof value !== expected) throw fail(`${key}: expected a ${expected === 'string' ? 'name' : expected}, got ${show(value)}`);
      given[key] = value as string | number | boolean;
    } else throw fail(`unknown option '${key}' (options: ${[...OPTION_KEYS, ...SESSION_KEYS].join(', ')})`);
  }
  let options: RunOptions;
  try {
    options = resolveRunOptions({ ...givenRunOptions(parseFlags(optionFlags(given), TRAIN_FLAGS, 'train')), task, seed });
    // the model's own rules (simHeads a multiple of heads, …); the vocabulary's size plays no part in them
    modelConfig(options, options.task === 'mqar' ? options.keys! + options.values! : 84);
  } catch (e) {
    if (e instanceof SasError) throw fail(inSpecTerms(e.message));
    throw e;
  }
  return { name, given, options, session };
}

/**
 * Parses and checks an experiment spec: its shape, every run's keys and
 * values (by `sas train`'s own rules, for the runs as they will train), so a
 * bad spec fails before any run starts, in one `E_INPUT` line naming the run
 * and the key.
 *
 * @example
 * ```ts
 * const spec = parseExperimentSpec(
 *   '{"name":"t","task":"mqar","seeds":[1,2],"base":{"steps":30},"runs":[{"name":"mha","attention":"mha"},{"name":"sas"}]}', 't.json');
 * spec.runs.map((r) => r.options.attention); // ['mha', 'sas']
 * parseExperimentSpec('{"name":"t","task":"mqar","seeds":[1],"runs":[{"name":"a","lr":0}]}', 't.json');
 * // throws: t.json: run 'a': lr: expected a decimal number > 0, got '0'
 * ```
 */
export function parseExperimentSpec(text: string, path: string): ExperimentSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SasError('E_INPUT', `${path}: not valid JSON (${(e as Error).message})`);
  }
  const fail = (message: string) => new SasError('E_INPUT', `${path}: ${message}`);
  if (!isObject(json)) throw fail(`expected a JSON object {name, task, seeds, base, runs}, got ${show(json).slice(0, 40)}`);
  for (const key of Object.keys(json)) if (!TOP_KEYS.includes(key)) throw fail(`unknown key '${key}' (a spec has ${TOP_KEYS.join(', ')})`);
  const { name, task, seeds, base = {}, runs } = json;
  if (typeof name !== 'string' || !NAME.test(name)) throw fail(`name: expected letters, digits, '-' or '_' (it names files), got ${show(name)}`);
  if (!TASKS.includes(task as Task)) throw fail(`task: expected ${TASKS.join(' or ')}, got ${show(task)}`);
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32) || new Set(seeds).size !== seeds.length)
    throw fail(`seeds: expected a non-empty list of distinct integers in [0, 2³²), got ${show(seeds)}`);
  if (!isObject(base)) throw fail(`base: expected an object of run options, got ${show(base)}`);
  if (!Array.isArray(runs) || runs.length === 0) throw fail(`runs: expected a non-empty list of runs, got ${show(runs)}`);
  const names = new Set<string>();
  const checked = runs.map((run, i) => {
    if (!isObject(run)) throw fail(`runs[${i}]: expected an object {name, options…}, got ${show(run)}`);
    const { name: runName, ...own } = run;
    if (typeof runName !== 'string' || !NAME.test(runName))
      throw fail(`runs[${i}].name: expected letters, digits, '-' or '_' (it names files), got ${show(runName)}`);
    if (names.has(runName)) throw fail(`runs[${i}].name: '${runName}' is used twice`);
    names.add(runName);
    return checkRun(path, runName, { ...base, ...own }, task as Task, seeds[0]);
  });
  return { path, name, task: task as Task, seeds: seeds as number[], runs: checked };
}

/**
 * Reads and checks a spec file.
 *
 * @example
 * ```ts
 * loadExperimentSpec('experiments/mqar.json').runs.length; // 9
 * ```
 */
export function loadExperimentSpec(path: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SasError('E_IO', `${path}: cannot read the spec (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseExperimentSpec(text, path);
}
