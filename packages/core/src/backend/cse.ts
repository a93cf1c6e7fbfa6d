import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import { isLeaf, type AttrValue, type Graph } from '../ir/types.js';

/** A number as a key: distinguishes −0, NaN and ±Infinity (JSON would print null). */
const numberKey = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

function attrKey(v: AttrValue): string {
  if (typeof v === 'number') return numberKey(v);
  if (Array.isArray(v)) return `[${v.map(numberKey).join(',')}]`;
  return JSON.stringify(v);
}

/**
 * Merges nodes that compute the same thing (same op, attributes and inputs;
 * constants with the same values), keeping the first. Ops are pure, so the
 * result is the same function. Lowering uses it: the decompositions of an
 * attention and of its three gradients each rebuild the same scores and
 * probabilities, which must be computed once. Returns `graph` itself when
 * nothing merges.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp, add, mergeCommonSubexpressions } from '@sas/core';
 * const b = new GraphBuilder();
 * const x = b.input('x', [2]);
 * b.output('y', add(exp(x), exp(x)));
 * mergeCommonSubexpressions(b.build()).nodes.length; // 3: x, one exp, add
 * ```
 */
export function mergeCommonSubexpressions(graph: Graph): Graph {
  const canonical = new Map<string, number>();
  const target = new Array<number>(graph.nodes.length);
  let merged = false;
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((i) => target[i]);
    const attrs = Object.keys(node.attrs)
      .sort()
      .map((k) => `${k}=${attrKey(node.attrs[k] as AttrValue)}`);
    const key = `${node.op}(${inputs.join(',')}){${attrs.join(';')}}${node.shape.join('x')}`;
    const seen = canonical.get(key);
    if (seen !== undefined && node.op !== 'Input' && node.op !== 'Param') {
      target[node.id] = seen;
      merged = true;
    } else {
      canonical.set(key, node.id);
      target[node.id] = node.id;
    }
  }
  if (!merged) return graph;
  const b = new GraphBuilder(graph.dtype);
  const refs = new Map<number, NodeRef>();
  for (const node of graph.nodes) {
    if (target[node.id] !== node.id) continue;
    const inputs = node.inputs.map((i) => refs.get(target[i])!);
    let ref: NodeRef;
    if (isLeaf(node.op)) ref = b.copyLeaf(node);
    else ref = b.applyByName(node.op, inputs, node.attrs);
    refs.set(node.id, ref);
  }
  for (const [name, id] of Object.entries(graph.outputs)) b.output(name, refs.get(target[id])!);
  return b.build();
}
