import { SasError } from '@sas/core';

const INTEGER = /^\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Bounds of a numeric flag; `above` is an exclusive lower bound. */
export interface NumberRange {
  readonly min?: number;
  readonly above?: number;
  readonly max?: number;
}

function describeRange(r: NumberRange): string {
  const parts = [r.min !== undefined ? `≥ ${r.min}` : '', r.above !== undefined ? `> ${r.above}` : '', r.max !== undefined ? `≤ ${r.max}` : ''].filter(Boolean);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

const inRange = (n: number, r: NumberRange) =>
  (r.min === undefined || n >= r.min) && (r.above === undefined || n > r.above) && (r.max === undefined || n <= r.max);

/**
 * A flag's value as a decimal integer (digits only: no sign, no `0x`, no
 * exponent), within `range`; anything else is one `E_INPUT` line naming the flag.
 *
 * @example
 * ```ts
 * parseInteger('200', 'steps', { min: 1 }); // 200
 * parseInteger('2e2', 'steps', { min: 1 }); // throws: --steps: expected an integer ≥ 1, got '2e2'
 * ```
 */
export function parseInteger(value: string, flag: string, range: NumberRange = {}): number {
  const n = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || !inRange(n, range)) throw new SasError('E_INPUT', `--${flag}: expected an integer${describeRange(range)}, got '${value}'`);
  return n;
}

/**
 * A flag's value as a finite decimal number (`0.002`, `2e-3`, `.5`), within
 * `range`; anything else (`''`, `0x10`, `Infinity`, `NaN`) is one `E_INPUT`
 * line naming the flag.
 *
 * @example
 * ```ts
 * parseDecimal('3e-3', 'lr', { above: 0 }); // 0.003
 * parseDecimal('fast', 'lr', { above: 0 }); // throws: --lr: expected a decimal number > 0, got 'fast'
 * ```
 */
export function parseDecimal(value: string, flag: string, range: NumberRange = {}): number {
  const n = DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || !inRange(n, range)) throw new SasError('E_INPUT', `--${flag}: expected a decimal number${describeRange(range)}, got '${value}'`);
  return n;
}
