import { SasError } from '@sas/core';

/** The flags a command accepts: name → 'boolean' or 'string'. */
export type FlagSpec = Readonly<Record<string, 'boolean' | 'string'>>;

/** Parsed flags: booleans true when present, strings their value. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Parses `--name value`, `--name=value` and boolean `--name` flags against a
 * spec; anything unknown or malformed is a usage error naming the flag.
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
    if (!arg.startsWith('--')) throw new SasError('E_INPUT', `${command}: unexpected argument '${arg}' (see 'sas ${command} --help')`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind) throw new SasError('E_INPUT', `${command}: unknown flag --${name} (see 'sas ${command} --help')`);
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

/** Parses a comma-separated list of positive integers, naming the flag on error. */
export function parseIntList(value: string, flag: string, count?: number): number[] {
  const parts = value.split(',');
  const nums = parts.map((p) => Number(p.trim()));
  if (nums.some((n) => !Number.isInteger(n) || n < 1) || (count !== undefined && nums.length !== count)) {
    throw new SasError('E_INPUT', `--${flag}: expected ${count ?? 'a list of'} comma-separated positive integers, got '${value}'`);
  }
  return nums;
}

/** Parses a positive integer flag. */
export function parsePositiveInt(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1)
    throw new SasError('E_INPUT', `--${flag}: expected a positive integer, got '${String(value)}'`);
  return n;
}
