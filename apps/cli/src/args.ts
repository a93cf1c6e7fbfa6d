import { availableParallelism } from 'node:os';
import { printable, SasError } from '@sas/core';

/** The flags a command accepts: name → 'boolean' or 'string'. */
export type FlagSpec = Readonly<Record<string, 'boolean' | 'string'>>;

/** Parsed flags: booleans true when present, strings their value. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against a
 * spec; anything unknown or malformed is a usage error naming the flag. Only
 * the spec's own names count: `--constructor` or `--toString` is unknown.
 *
 * @example
 * ```ts
 * parseFlags(['--backend', 'ndarray', '--json'], { backend: 'string', json: 'boolean' });
 * // { backend: 'ndarray', json: true }
 * ```
 */
export function parseFlags(argv: readonly string[], spec: FlagSpec, command: string): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new SasError('E_INPUT', `${command}: unexpected argument '${printable(arg)}' (see 'sas ${command} --help')`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind !== 'boolean' && kind !== 'string') throw new SasError('E_INPUT', `${command}: unknown flag --${printable(name)} (see 'sas ${command} --help')`);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new SasError('E_INPUT', `${command}: --${name} takes no value`);
      flags[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new SasError('E_INPUT', `${command}: --${name} needs a value`);
      flags[name] = value;
    }
  }
  return flags;
}

/** The largest number any count flag takes: beyond it a dimension or a count is nonsense, and beyond 2^53 not even exact. */
export const MAX_FLAG_INTEGER = 2 ** 31 - 1;

/**
 * Reads one decimal integer: digits only (no sign, exponent, hex, fraction or
 * spaces), at least `min`, at most `max`; errors name the flag and the limit.
 */
function decimal(text: string, flag: string, min: number, max: number, limit: string): number {
  if (!/^[0-9]+$/.test(text)) throw new SasError('E_INPUT', `--${flag}: expected a decimal integer, got '${printable(text)}'`);
  const n = Number(text);
  if (n < min) throw new SasError('E_INPUT', `--${flag}: expected ${min === 0 ? 'a non-negative' : 'a positive'} integer, got '${text}'`);
  if (n > max) throw new SasError('E_INPUT', `--${flag}: at most ${max}${limit}, got ${text}`);
  return n;
}

/**
 * Parses a comma-separated list of positive decimal integers, naming the flag on error.
 *
 * @example
 * ```ts
 * parseIntList('1,8,2,4', 'shape', 4); // [1, 8, 2, 4]
 * parseIntList('1e3', 'shape');        // throws E_INPUT: --shape: expected a list of comma-separated positive integers, got '1e3'
 * ```
 */
export function parseIntList(value: string, flag: string, count?: number): number[] {
  const parts = value.split(',');
  if (parts.some((p) => !/^[0-9]+$/.test(p) || Number(p) < 1) || (count !== undefined && parts.length !== count)) {
    throw new SasError('E_INPUT', `--${flag}: expected ${count ?? 'a list of'} comma-separated positive integers, got '${printable(value)}'`);
  }
  return parts.map((p) => decimal(p, flag, 1, MAX_FLAG_INTEGER, ''));
}

/**
 * Parses a positive decimal integer flag, at most `max` (`limit` says why).
 *
 * @example
 * ```ts
 * parsePositiveInt('5', 'runs', 3);         // 5
 * parsePositiveInt(undefined, 'runs', 3);   // 3
 * parsePositiveInt('0x10', 'runs', 3);      // throws E_INPUT: --runs: expected a decimal integer, got '0x10'
 * ```
 */
export function parsePositiveInt(value: string | boolean | undefined, flag: string, fallback: number, max = MAX_FLAG_INTEGER, limit = ''): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new SasError('E_INPUT', `--${flag}: expected a positive integer, got '${String(value)}'`);
  return decimal(value, flag, 1, max, limit);
}

/**
 * Parses a non-negative decimal integer flag (`--warmup 0`), at most `max`.
 *
 * @example
 * ```ts
 * parseNonNegativeInt('0', 'warmup', 1, 1000); // 0
 * ```
 */
export function parseNonNegativeInt(value: string | boolean | undefined, flag: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new SasError('E_INPUT', `--${flag}: expected a non-negative integer, got '${String(value)}'`);
  return decimal(value, flag, 0, max, '');
}

/** Timed runs of one benchmark: more than this is a mistake (a typo'd zero), not a measurement. */
export const MAX_RUNS = 10_000;
/** Untimed warm-up calls. */
export const MAX_WARMUP = 1_000;
/** Per-case time limit of the suite: setTimeout fires at once past 2^31 − 1 ms, and a day is already absurd. */
export const MAX_TIMEOUT_SECONDS = 86_400;

/**
 * `--threads`: at least 1, at most the cores this machine makes available
 * (more threads than cores only contend, and each is a worker with its own memory).
 *
 * @example
 * ```ts
 * parseThreads('1'); // 1
 * parseThreads('4096'); // throws E_INPUT: --threads: at most 2 (the cores available here), got 4096
 * ```
 */
export function parseThreads(value: string | boolean | undefined, cores = availableParallelism()): number | undefined {
  if (value === undefined) return undefined;
  return parsePositiveInt(value, 'threads', 1, cores, ' (the cores available here)');
}
