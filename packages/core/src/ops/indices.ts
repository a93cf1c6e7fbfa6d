// Shared by the ops that read integer ids from float tensors (Gather,
// ScatterAdd, CrossEntropy): the reference's check of the ids, and the
// one-hot encoding their decompositions are built on.

import type { NodeRef } from '../ir/builder.js';
import { firstOutOfDomain, outOfDomainError, type IndexDomain } from '../ir/domain.js';
import { equal } from './Equal.js';
import type { RefTensor } from './op.js';
import { reshape } from './Reshape.js';

/**
 * Throws `E_INPUT` naming the op, the operand and the position of the first
 * value of `ids` outside `domain`. The reference evaluates refuse bad ids
 * this way; kernels never read out of bounds (a zero row instead).
 *
 * @example
 * ```ts
 * import { checkIds } from './indices.js';
 * checkIds('Gather: ids at', { shape: [2], data: Float64Array.of(0, 7) }, { indexRange: 5 });
 * // throws E_INPUT: Gather: ids at position [1] holds 7, expected an integer id in [0, 5)
 * ```
 */
export function checkIds(prefix: string, ids: RefTensor, domain: IndexDomain): void {
  const bad = firstOutOfDomain(ids.data, domain);
  if (bad >= 0) throw outOfDomainError(prefix, ids.data, ids.shape, bad, domain);
}

/** The ids 0, 1, …, n−1 as a constant of `like`'s graph. */
export function iota(like: NodeRef, n: number): NodeRef {
  return like.builder.constant(
    Array.from({ length: n }, (_, i) => i),
    [n],
  );
}

/**
 * One-hot rows of ids: `ids [...]` → `[N, depth]` with N the number of ids
 * (flattened), row i holding 1 at column ids[i] and 0 elsewhere. An id that
 * is not an integer in [0, depth) gives a zero row. Built from `Equal`
 * against a constant 0..depth−1, so every backend runs it.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from '@sas/core';
 * import { oneHotRows } from './indices.js';
 * const b = new GraphBuilder();
 * oneHotRows(b.input('ids', [2, 3]), 5).shape; // [6, 5]
 * ```
 */
export function oneHotRows(ids: NodeRef, depth: number): NodeRef {
  const n = ids.shape.reduce((a, d) => a * d, 1);
  return equal(reshape(ids, [n, 1]), iota(ids, depth));
}
