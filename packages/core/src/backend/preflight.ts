// Checks a kernel backend makes before it uploads or computes anything, so a
// run that cannot succeed fails with one clear line instead of a RangeError or
// an out-of-memory crash halfway through.

import { SasError } from '../errors.js';
import { ownValue, printable } from '../names.js';
import { leafName, type Graph, type GraphNode } from '../ir/types.js';
import { fmtShape, sizeOf } from '../tensor.js';
import type { Feeds } from './types.js';

/**
 * Refuses a run whose plan holds a tensor larger than `maxElements`, naming
 * the node, its shape and the limit. Runs on the planned (lowered) nodes
 * before any feed is uploaded, so nothing is allocated first.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, checkCapacity } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [1000, 1000])));
 * const g = b.build();
 * checkCapacity(g, [0, 1], 1e5, 'toy (cpu)'); // throws E_BACKEND: ... node 0 (Input 'x') of shape [1000,1000] ...
 * ```
 */
export function checkCapacity(graph: Graph, order: readonly number[], maxElements: number, backend: string): void {
  for (const id of order) {
    const node = graph.nodes[id];
    const n = sizeOf(node.shape);
    if (n > maxElements) {
      throw new SasError(
        'E_BACKEND',
        `backend ${backend}: node ${id} (${describeNode(node)}) of shape ${fmtShape(node.shape)} has ${n} elements, more than the ${maxElements} one tensor may hold here (refused before allocating; use a smaller seqLen or batch)`,
      );
    }
  }
}

/**
 * Refuses feeds whose `dtype` field is not a float dtype or contradicts their
 * data array (e.g. `dtype: 'float32'` over a Float64Array), which would
 * otherwise be uploaded without the cast the graph's dtype needs. A feed
 * without a `dtype` field is taken at its data's word.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, checkFeedDtypes } from '@sas/core';
 * const b = new GraphBuilder();
 * const x = b.input('x', [2]);
 * b.output('y', exp(x));
 * checkFeedDtypes([b.build().nodes[0]], { x: { dtype: 'float32', shape: [2], data: new Float64Array(2) } });
 * // throws E_DTYPE: feed 'x': dtype says 'float32' but data is a Float64Array
 * ```
 */
export function checkFeedDtypes(needed: readonly GraphNode[], feeds: Feeds): void {
  for (const node of needed) {
    const name = printable(leafName(node));
    const t = ownValue(feeds, leafName(node))!;
    const dtype = (t as { dtype?: unknown }).dtype;
    if (dtype === undefined) continue;
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new SasError('E_DTYPE', `feed '${name}': dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
    }
    const actual = t.data instanceof Float32Array ? 'float32' : 'float64';
    if (dtype !== actual) {
      throw new SasError('E_DTYPE', `feed '${name}': dtype says '${dtype}' but data is a ${t.data.constructor.name}`);
    }
  }
}

function describeNode(node: GraphNode): string {
  return node.op === 'Input' || node.op === 'Param' ? `${node.op} '${printable(leafName(node))}'` : node.op;
}
