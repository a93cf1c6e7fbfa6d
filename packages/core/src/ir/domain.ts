// Integer domains of `Input` leaves: token ids and loss targets are data from
// users, held in float tensors of the graph's dtype. An Input that declares a
// domain has every fed value checked before anything runs (backend/feeds.ts),
// so a bad id is one clear error on every backend, never a NaN or a read out
// of bounds.

import { SasError } from '../errors.js';
import type { Attrs } from './types.js';

/**
 * The values an `Input` may hold: integers in `[0, indexRange)`, and also
 * `ignoreIndex` when set (the targets a cross-entropy skips, −100 by
 * PyTorch's convention).
 */
export interface IndexDomain {
  readonly indexRange: number;
  readonly ignoreIndex?: number;
}

/**
 * Throws `E_ATTR` unless `domain` is a valid index domain: `indexRange` a
 * positive integer, `ignoreIndex` (optional) an integer outside `[0, indexRange)`.
 *
 * @example
 * ```ts
 * import { checkIndexDomain } from '@sas/core';
 * checkIndexDomain("Input 'targets'", { indexRange: 13, ignoreIndex: -100 }); // fine
 * checkIndexDomain("Input 'ids'", { indexRange: 0 }); // throws: Input 'ids': indexRange must be a positive integer, got 0
 * ```
 */
export function checkIndexDomain(where: string, domain: { readonly indexRange?: unknown; readonly ignoreIndex?: unknown }): void {
  const { indexRange, ignoreIndex } = domain;
  if (typeof indexRange !== 'number' || !Number.isSafeInteger(indexRange) || indexRange < 1) {
    throw new SasError('E_ATTR', `${where}: indexRange must be a positive integer, got ${show(indexRange)}`);
  }
  if (ignoreIndex === undefined) return;
  if (typeof ignoreIndex !== 'number' || !Number.isSafeInteger(ignoreIndex) || (ignoreIndex >= 0 && ignoreIndex < indexRange)) {
    throw new SasError('E_ATTR', `${where}: ignoreIndex must be an integer outside [0, ${indexRange}), got ${show(ignoreIndex)}`);
  }
}

/**
 * The index domain an Input node's attributes declare, or undefined.
 *
 * @example
 * ```ts
 * import { GraphBuilder, indexDomainOf } from '@sas/core';
 * const b = new GraphBuilder();
 * const ids = b.input('ids', [2, 9], { indexRange: 13 });
 * indexDomainOf(b.nodeOf(ids).attrs); // { indexRange: 13 }
 * ```
 */
export function indexDomainOf(attrs: Attrs): IndexDomain | undefined {
  if (attrs.indexRange === undefined) return undefined;
  const indexRange = attrs.indexRange as number;
  return attrs.ignoreIndex === undefined ? { indexRange } : { indexRange, ignoreIndex: attrs.ignoreIndex as number };
}

/**
 * True when `v` is in the domain.
 *
 * @example
 * ```ts
 * import { inIndexDomain } from '@sas/core';
 * inIndexDomain(-100, { indexRange: 5, ignoreIndex: -100 }); // true
 * inIndexDomain(2.5, { indexRange: 5 }); // false
 * ```
 */
export function inIndexDomain(v: number, domain: IndexDomain): boolean {
  return (Number.isInteger(v) && v >= 0 && v < domain.indexRange) || (domain.ignoreIndex !== undefined && v === domain.ignoreIndex);
}

/**
 * Index of the first value outside the domain, or −1.
 *
 * @example
 * ```ts
 * import { firstOutOfDomain } from '@sas/core';
 * firstOutOfDomain([0, 2, 3.5], { indexRange: 4 }); // 2
 * ```
 */
export function firstOutOfDomain(data: ArrayLike<number>, domain: IndexDomain): number {
  for (let i = 0; i < data.length; i++) if (!inIndexDomain(data[i], domain)) return i;
  return -1;
}

/**
 * The domain in words, for messages.
 *
 * @example
 * ```ts
 * import { describeIndexDomain } from '@sas/core';
 * describeIndexDomain({ indexRange: 13, ignoreIndex: -100 }); // 'an integer id in [0, 13) or the ignore index -100'
 * ```
 */
export function describeIndexDomain(domain: IndexDomain): string {
  const ids = `an integer id in [0, ${domain.indexRange})`;
  return domain.ignoreIndex === undefined ? ids : `${ids} or the ignore index ${domain.ignoreIndex}`;
}

/**
 * A flat row-major index as a position in `shape`, for messages: 9 in [2, 5] → "[1, 4]".
 *
 * @example
 * ```ts
 * import { formatPosition } from '@sas/core';
 * formatPosition(9, [2, 5]); // '[1, 4]'
 * ```
 */
export function formatPosition(flat: number, shape: readonly number[]): string {
  const position = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position[axis] = flat % shape[axis];
    flat = Math.floor(flat / shape[axis]);
  }
  return `[${position.join(', ')}]`;
}

/**
 * The one-line `E_INPUT` error for a value outside its domain. `prefix` names
 * the tensor and precedes "position [..] holds ..." ("feed 'ids':", "Gather: ids at").
 */
export function outOfDomainError(prefix: string, data: ArrayLike<number>, shape: readonly number[], at: number, domain: IndexDomain): SasError {
  return new SasError('E_INPUT', `${prefix} position ${formatPosition(at, shape)} holds ${data[at]}, expected ${describeIndexDomain(domain)}`);
}

function show(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}
