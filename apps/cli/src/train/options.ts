import { SasError } from '@sas/core';
import type { FlagSpec, Flags } from '../args.js';
import { parseDecimal, parseInteger } from './numbers.js';

export const TASKS = ['brown', 'mqar'] as const;
export type Task = (typeof TASKS)[number];
export const ATTENTIONS = ['sas', 'mha', 'gqa', 'mqa'] as const;
export type AttentionKind = (typeof ATTENTIONS)[number];
export const INITS = ['random', 'identity'] as const;
export const FREEZES = ['maps', 'qk', 'v'] as const;
export type Freeze = (typeof FREEZES)[number];

/**
 * Everything that defines a training run: the model, the data, the optimiser
 * and its schedule, the evaluation. Flat and JSON-serialisable: a checkpoint
 * stores it, and a resume compares the flags it is given against it. Options
 * that do not apply to the task or attention kind are `null`.
 */
export interface RunOptions {
  readonly task: Task;
  readonly attention: AttentionKind;
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  /** Key/value heads of the baselines (mha: heads, mqa: 1); null for sas. */
  readonly kvHeads: number | null;
  readonly simHeads: number | null;
  readonly simHeadDim: number | null;
  readonly kernel: number | null;
  readonly featureMaps: boolean | null;
  readonly init: (typeof INITS)[number];
  readonly freeze: Freeze | null;
  readonly seqLen: number;
  readonly batch: number;
  readonly steps: number;
  readonly lr: number;
  readonly warmup: number;
  /** The cosine schedule's floor as a ratio of lr. */
  readonly lrFloor: number;
  readonly weightDecay: number;
  /** Global-norm clipping threshold; 0 turns clipping off. */
  readonly clip: number;
  readonly seed: number;
  readonly pairs: number | null;
  readonly keys: number | null;
  readonly values: number | null;
  readonly evalEvery: number;
  readonly evalSequences: number | null;
  readonly evalBatches: number | null;
}

/** How this process runs the training (free to differ between a run and its resume). */
export interface SessionOptions {
  readonly backend: string;
  readonly mode: string | undefined;
  readonly threads: number | undefined;
  readonly checkpoint: string | undefined;
  readonly resume: boolean;
  readonly force: boolean;
  readonly log: string | undefined;
  readonly json: boolean;
  /** Stop after this step of the schedule (checkpoint, exit 0); a later --resume continues to --steps. */
  readonly until: number | undefined;
}

/** Defaults of each task (issue #14's study settings), shown in --help. */
export const TASK_DEFAULTS = {
  brown: {
    width: 128,
    layers: 2,
    heads: 4,
    seqLen: 128,
    batch: 16,
    steps: 600,
    lr: 2e-3,
    warmup: 100,
    lrFloor: 0.1,
    evalEvery: 100,
    evalBatches: 8,
    simHeadDim: 64,
  },
  mqar: { width: 64, layers: 2, heads: 4, batch: 64, steps: 1500, lr: 3e-3, warmup: 100, lrFloor: 0, evalEvery: 100, evalSequences: 512, simHeadDim: 32 },
} as const;
export const COMMON_DEFAULTS = { weightDecay: 0.01, clip: 1, seed: 0, simHeads: 8, kernel: 3, pairs: 16, keys: 64, values: 64 } as const;

/** The flags of `sas train`. */
export const TRAIN_FLAGS: FlagSpec = {
  task: 'string',
  attention: 'string',
  'kv-heads': 'string',
  'sim-heads': 'string',
  'sim-head-dim': 'string',
  kernel: 'string',
  'no-feature-maps': 'boolean',
  init: 'string',
  freeze: 'string',
  width: 'string',
  layers: 'string',
  heads: 'string',
  'seq-len': 'string',
  batch: 'string',
  steps: 'string',
  lr: 'string',
  warmup: 'string',
  'lr-floor': 'string',
  'weight-decay': 'string',
  clip: 'string',
  seed: 'string',
  pairs: 'string',
  keys: 'string',
  values: 'string',
  'eval-every': 'string',
  'eval-sequences': 'string',
  'eval-batches': 'string',
  backend: 'string',
  mode: 'string',
  threads: 'string',
  checkpoint: 'string',
  resume: 'boolean',
  force: 'boolean',
  until: 'string',
  log: 'string',
  json: 'boolean',
  verbose: 'boolean',
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function oneOf<T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new SasError('E_INPUT', `--${flag}: expected ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/** Run option ↔ flag name, for messages. */
export const FLAG_OF: Readonly<Record<keyof RunOptions, string>> = {
  task: 'task',
  attention: 'attention',
  width: 'width',
  layers: 'layers',
  heads: 'heads',
  kvHeads: 'kv-heads',
  simHeads: 'sim-heads',
  simHeadDim: 'sim-head-dim',
  kernel: 'kernel',
  featureMaps: 'no-feature-maps',
  init: 'init',
  freeze: 'freeze',
  seqLen: 'seq-len',
  batch: 'batch',
  steps: 'steps',
  lr: 'lr',
  warmup: 'warmup',
  lrFloor: 'lr-floor',
  weightDecay: 'weight-decay',
  clip: 'clip',
  seed: 'seed',
  pairs: 'pairs',
  keys: 'keys',
  values: 'values',
  evalEvery: 'eval-every',
  evalSequences: 'eval-sequences',
  evalBatches: 'eval-batches',
};

/**
 * The run options given on the command line, each parsed and range-checked
 * on its own (no defaults, no cross-checks yet).
 */
export function givenRunOptions(flags: Flags): Partial<RunOptions> {
  const given: Partial<Mutable<RunOptions>> = {};
  const str = (flag: string) => flags[flag] as string | undefined;
  const int = (flag: string, min: number, max?: number) => {
    const v = str(flag);
    return v === undefined ? undefined : parseInteger(v, flag, { min, max });
  };
  const dec = (flag: string, range: { min?: number; above?: number; max?: number }) => {
    const v = str(flag);
    return v === undefined ? undefined : parseDecimal(v, flag, range);
  };
  const set = <K extends keyof RunOptions>(key: K, value: RunOptions[K] | undefined) => {
    if (value !== undefined) given[key] = value;
  };
  set('task', str('task') === undefined ? undefined : oneOf(str('task')!, 'task', TASKS));
  set('attention', str('attention') === undefined ? undefined : oneOf(str('attention')!, 'attention', ATTENTIONS));
  set('kvHeads', int('kv-heads', 1));
  set('simHeads', int('sim-heads', 1));
  set('simHeadDim', int('sim-head-dim', 1));
  set('kernel', int('kernel', 1));
  set('featureMaps', flags['no-feature-maps'] === true ? false : undefined);
  set('init', str('init') === undefined ? undefined : oneOf(str('init')!, 'init', INITS));
  set('freeze', str('freeze') === undefined ? undefined : oneOf(str('freeze')!, 'freeze', FREEZES));
  set('width', int('width', 1));
  set('layers', int('layers', 1));
  set('heads', int('heads', 1));
  set('seqLen', int('seq-len', 1));
  set('batch', int('batch', 1));
  set('steps', int('steps', 1));
  set('lr', dec('lr', { above: 0 }));
  set('warmup', int('warmup', 0));
  set('lrFloor', dec('lr-floor', { min: 0, max: 1 }));
  set('weightDecay', dec('weight-decay', { min: 0 }));
  set('clip', dec('clip', { min: 0 }));
  set('seed', int('seed', 0, 2 ** 32 - 1));
  set('pairs', int('pairs', 1));
  set('keys', int('keys', 1));
  set('values', int('values', 1));
  set('evalEvery', int('eval-every', 1));
  set('evalSequences', int('eval-sequences', 1));
  set('evalBatches', int('eval-batches', 1));
  return given;
}

const onlyFor = (given: Partial<RunOptions>, keys: readonly (keyof RunOptions)[], what: string) => {
  for (const k of keys) if (given[k] !== undefined) throw new SasError('E_INPUT', `--${FLAG_OF[k]} applies to ${what} only`);
};

/**
 * A new run's options: the given ones, then each task's and attention kind's
 * defaults; flags that do not apply, and combinations that cannot work, are
 * one-line `E_INPUT` errors.
 *
 * @example
 * ```ts
 * resolveRunOptions({ task: 'mqar', attention: 'gqa' }).kvHeads; // 2 (heads / 2)
 * ```
 */
export function resolveRunOptions(given: Partial<RunOptions>): RunOptions {
  const task = given.task ?? 'brown';
  const attention = given.attention ?? 'sas';
  const d = TASK_DEFAULTS[task];
  if (attention !== 'sas') onlyFor(given, ['simHeads', 'simHeadDim', 'kernel', 'featureMaps', 'freeze'], '--attention sas');
  if (attention !== 'sas' && given.init === 'identity')
    throw new SasError('E_INPUT', '--init identity applies to --attention sas only (it initialises the SAS maps)');
  if (attention === 'sas') onlyFor(given, ['kvHeads'], '--attention gqa, mqa or mha');
  if (task === 'brown') onlyFor(given, ['pairs', 'keys', 'values', 'evalSequences'], '--task mqar');
  else onlyFor(given, ['evalBatches'], '--task brown');

  const width = given.width ?? d.width;
  const heads = given.heads ?? d.heads;
  if (width % heads !== 0) throw new SasError('E_INPUT', `--width ${width} is not divisible by --heads ${heads}`);
  let kvHeads: number | null = null;
  if (attention === 'mha') {
    kvHeads = given.kvHeads ?? heads;
    if (kvHeads !== heads) throw new SasError('E_INPUT', `--kv-heads: mha has as many key/value heads as heads (${heads}), got ${kvHeads}`);
  } else if (attention === 'mqa') {
    kvHeads = given.kvHeads ?? 1;
    if (kvHeads !== 1) throw new SasError('E_INPUT', `--kv-heads: mqa has one key/value head, got ${kvHeads}`);
  } else if (attention === 'gqa') {
    if (given.kvHeads === undefined && heads % 2 !== 0) throw new SasError('E_INPUT', `--kv-heads: gqa needs it when --heads (${heads}) is odd`);
    kvHeads = given.kvHeads ?? heads / 2;
    if (heads % kvHeads !== 0) throw new SasError('E_INPUT', `--kv-heads ${kvHeads} does not divide --heads ${heads}`);
  }

  const pairs = task === 'mqar' ? (given.pairs ?? COMMON_DEFAULTS.pairs) : null;
  let seqLen: number;
  if (task === 'mqar') {
    seqLen = 3 * pairs!;
    if (given.seqLen !== undefined && given.seqLen !== seqLen)
      throw new SasError('E_INPUT', `--seq-len: mqar sequences are 3·pairs = ${seqLen} long, got ${given.seqLen} (leave --seq-len out)`);
  } else seqLen = given.seqLen ?? TASK_DEFAULTS.brown.seqLen;

  const sas = attention === 'sas';
  const featureMaps = given.featureMaps ?? true;
  return {
    task,
    attention,
    width,
    layers: given.layers ?? d.layers,
    heads,
    kvHeads,
    simHeads: sas ? (given.simHeads ?? COMMON_DEFAULTS.simHeads) : null,
    // Without feature maps the simulated head width is D itself (MODEL.md).
    simHeadDim: sas ? (given.simHeadDim ?? (featureMaps ? d.simHeadDim : width / heads)) : null,
    kernel: sas ? (given.kernel ?? COMMON_DEFAULTS.kernel) : null,
    featureMaps: sas ? featureMaps : null,
    init: given.init ?? 'random',
    freeze: given.freeze ?? null,
    seqLen,
    batch: given.batch ?? d.batch,
    steps: given.steps ?? d.steps,
    lr: given.lr ?? d.lr,
    warmup: given.warmup ?? d.warmup,
    lrFloor: given.lrFloor ?? d.lrFloor,
    weightDecay: given.weightDecay ?? COMMON_DEFAULTS.weightDecay,
    clip: given.clip ?? COMMON_DEFAULTS.clip,
    seed: given.seed ?? COMMON_DEFAULTS.seed,
    pairs,
    keys: task === 'mqar' ? (given.keys ?? COMMON_DEFAULTS.keys) : null,
    values: task === 'mqar' ? (given.values ?? COMMON_DEFAULTS.values) : null,
    evalEvery: given.evalEvery ?? d.evalEvery,
    evalSequences: task === 'mqar' ? (given.evalSequences ?? TASK_DEFAULTS.mqar.evalSequences) : null,
    evalBatches: task === 'brown' ? (given.evalBatches ?? TASK_DEFAULTS.brown.evalBatches) : null,
  };
}

/**
 * A resume's options: the checkpoint's, after checking that every flag given
 * agrees with them (the first that does not is one `E_INPUT` line).
 */
export function resumedRunOptions(given: Partial<RunOptions>, saved: RunOptions, checkpoint: string): RunOptions {
  for (const key of Object.keys(given) as (keyof RunOptions)[]) {
    if (given[key] !== saved[key]) {
      const show = (v: unknown) => (v === null ? 'not applicable' : key === 'featureMaps' ? (v === false ? 'given' : 'not given') : String(v));
      throw new SasError(
        'E_INPUT',
        `--${FLAG_OF[key]} ${show(given[key])} contradicts the checkpoint ${checkpoint} (${FLAG_OF[key]} ${show(saved[key])}); resume with the run's own flags, or start a new run`,
      );
    }
  }
  return saved;
}

/**
 * Checks `--until` against the run: a step after the one it stands at and before its last.
 */
export function checkUntil(until: number | undefined, run: RunOptions, at: number): void {
  if (until === undefined) return;
  if (until >= run.steps) throw new SasError('E_INPUT', `--until ${until}: expected a step before the last (--steps ${run.steps})`);
  if (until <= at) throw new SasError('E_INPUT', `--until ${until}: the run is already at step ${at}`);
}

/** The session options, checked (`--until` against the run by `checkUntil`). */
export function sessionOptions(flags: Flags, defaultBackend: string): SessionOptions {
  const checkpoint = flags.checkpoint as string | undefined;
  const resume = flags.resume === true;
  const force = flags.force === true;
  if (resume && checkpoint === undefined) throw new SasError('E_INPUT', '--resume needs --checkpoint FILE (the checkpoint to continue)');
  if (resume && force) throw new SasError('E_INPUT', '--resume and --force: choose one (continue the checkpoint, or start over and replace it)');
  const until = flags.until === undefined ? undefined : parseInteger(flags.until as string, 'until', { min: 1 });
  if (until !== undefined && checkpoint === undefined) throw new SasError('E_INPUT', '--until needs --checkpoint FILE (where the run is saved to continue)');
  return {
    backend: (flags.backend as string | undefined) ?? defaultBackend,
    mode: flags.mode as string | undefined,
    threads: flags.threads === undefined ? undefined : parseInteger(flags.threads as string, 'threads', { min: 1 }),
    checkpoint,
    resume,
    force,
    log: flags.log as string | undefined,
    json: flags.json === true,
    until,
  };
}
