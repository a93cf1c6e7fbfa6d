import { SasError } from '../errors.js';
import { ownValue, printable } from '../names.js';
import { fmtShape, sameShape, sizeOf } from '../tensor.js';
import { leafName, type Graph, type GraphNode } from '../ir/types.js';
import { firstOutOfDomain, indexDomainOf, outOfDomainError } from '../ir/domain.js';
import type { Feeds, NonFinitePolicy } from './types.js';

/**
 * Checks feeds against the leaves a run needs: every one present, of the right
 * shape, with data of the right length, and (unless allowed) finite.
 * Feeds for leaves the run does not need are ignored; names the graph does not
 * have at all are an error, since they are usually typos.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, checkFeeds, tensor } from '@sas/core';
 * const b = new GraphBuilder('float64');
 * const x = b.input('x', [2]);
 * b.output('y', exp(x));
 * const g = b.build();
 * checkFeeds(g, g.nodes.filter((n) => n.op === 'Input'), { x: tensor([1, 2], [2]) }, 'error');
 * ```
 */
export function checkFeeds(graph: Graph, needed: readonly GraphNode[], feeds: Feeds, nonFinite: NonFinitePolicy): void {
  if (feeds === null || typeof feeds !== 'object')
    throw new SasError('E_INPUT', `feeds: expected an object of tensors by name, got ${feeds === null ? 'null' : typeof feeds}`);
  const known = new Set(graph.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map(leafName));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) throw new SasError('E_INPUT', `feed '${printable(name)}': the graph has no input or param of that name`);
  }
  for (const node of needed) {
    const name = printable(leafName(node));
    const t = ownValue(feeds, leafName(node));
    if (t === undefined)
      throw new SasError('E_INPUT', `feed '${name}' is missing: expected ${node.op === 'Param' ? 'param' : 'input'} of shape ${fmtShape(node.shape)}`);
    if (!t || !Array.isArray(t.shape) || !(t.data instanceof Float32Array || t.data instanceof Float64Array)) {
      throw new SasError('E_INPUT', `feed '${name}': expected a tensor {shape, data: Float32Array|Float64Array}`);
    }
    if (!sameShape(t.shape, node.shape)) throw new SasError('E_SHAPE', `feed '${name}': expected shape ${fmtShape(node.shape)}, got ${fmtShape(t.shape)}`);
    if (t.data.length !== sizeOf(t.shape)) throw new SasError('E_SHAPE', `feed '${name}': ${t.data.length} values do not fill shape ${fmtShape(t.shape)}`);
    checkDomain(node, name, t.data);
    if (nonFinite === 'error') {
      const bad = firstNonFinite(t.data);
      if (bad >= 0)
        throw new SasError(
          'E_INPUT',
          `feed '${name}': element ${bad} is ${t.data[bad]} (non-finite values are refused; pass nonFinite: 'allow' to run anyway)`,
        );
      // A finite float64 beyond float32's range becomes ±Infinity when cast for a float32 graph.
      const overflow = graph.dtype === 'float32' && t.data instanceof Float64Array ? firstFloat32Overflow(t.data) : -1;
      if (overflow >= 0)
        throw new SasError(
          'E_INPUT',
          `feed '${name}': element ${overflow} is ${t.data[overflow]}, beyond float32's range, and would become ${t.data[overflow] > 0 ? '' : '-'}Infinity in this float32 graph (non-finite values are refused; pass nonFinite: 'allow' to run anyway)`,
        );
    }
  }
}

/**
 * Ids and targets (Inputs with an index domain) must hold integers in range,
 * whatever the non-finite policy: a kernel would otherwise read out of bounds
 * or average over no position.
 */
function checkDomain(node: GraphNode, name: string, data: Float32Array | Float64Array): void {
  const domain = node.op === 'Input' ? indexDomainOf(node.attrs) : undefined;
  if (!domain) return;
  const bad = firstOutOfDomain(data, domain);
  if (bad >= 0) throw outOfDomainError(`feed '${name}':`, data, node.shape, bad, domain);
  if (domain.ignoreIndex !== undefined && data.length > 0 && data.every((v) => v === domain.ignoreIndex)) {
    throw new SasError(
      'E_INPUT',
      `feed '${name}': every position holds the ignore index ${domain.ignoreIndex}, so a loss over it counts no position (at least one target must be an id in [0, ${domain.indexRange}))`,
    );
  }
}

/** Index of the first NaN or ±Inf, or −1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** Index of the first finite value that rounds to ±Infinity in float32, or −1. */
export function firstFloat32Overflow(data: Float64Array): number {
  for (let i = 0; i < data.length; i++) if (Math.abs(data[i]) > FLOAT32_MAX && !Number.isFinite(Math.fround(data[i]))) return i;
  return -1;
}

const FLOAT32_MAX = 3.4028234663852886e38;
