import { SasError } from '@sas/core';

/** A plain decimal number as typed: digits, an optional fraction and exponent (no hex, no blanks, no 'Infinity'). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A numeric flag's value, or undefined when the flag is absent; anything but
 * a plain decimal number is an `E_INPUT` error naming the flag (ranges are
 * the library's to check).
 *
 * @example
 * ```ts
 * parseNumberFlag('0.8', 'temperature'); // 0.8
 * parseNumberFlag('hot', 'temperature'); // throws: --temperature: expected a number, got 'hot'
 * ```
 */
export function parseNumberFlag(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value)) throw new SasError('E_INPUT', `--${flag}: expected a number, got '${String(value)}'`);
  return Number(value);
}

/** Library option names → the flags that set them, so an option error names what the user typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  maxNewTokens: '--max-new',
  temperature: '--temperature',
  topK: '--top-k',
  topP: '--top-p',
  seed: '--seed',
  stop: '--stop',
  prompt: '--prompt',
};

/**
 * An error of `generate`'s option checks, reworded to name the CLI flag
 * (`topK: expected …` → `--top-k: expected …`); other errors as they are.
 *
 * @example
 * ```ts
 * asFlagError(new SasError('E_INPUT', 'topP: expected a number in (0, 1], got 2')).message; // '--top-p: expected a number in (0, 1], got 2'
 * ```
 */
export function asFlagError(e: unknown): unknown {
  if (!(e instanceof SasError) || e.code !== 'E_INPUT') return e;
  const match = /^(\w+): /.exec(e.message);
  const flag = match ? FLAG_OF[match[1]] : undefined;
  return flag ? new SasError('E_INPUT', `${flag}: ${e.message.slice(match![0].length)}`) : e;
}
