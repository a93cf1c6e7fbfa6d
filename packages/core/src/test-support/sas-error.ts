// Test helper (excluded from the build): the SasError a call throws.
import { expect } from 'vitest';
import { SasError } from '@sas/core';

/**
 * The SasError `fn` throws; fails the test when it throws nothing or something else.
 *
 * @example
 * ```ts
 * import { sasError } from '../test-support/sas-error.js';
 * sasError(() => getOp('Nope')).code; // 'E_GRAPH'
 * ```
 */
export function sasError(fn: () => unknown): SasError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SasError);
    return e as SasError;
  }
  throw new Error('expected a SasError, nothing was thrown');
}
