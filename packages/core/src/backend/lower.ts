import { SasError } from '../errors.js';
import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import { isLeaf, type Graph } from '../ir/types.js';
import { canonicalAttrs } from '../ops/attrs.js';
import { findOp, getOp } from '../ops/table.js';
import { mergeCommonSubexpressions } from './cse.js';

/**
 * Rewrites every op a backend has no kernel for into its decomposition,
 * repeatedly, until only supported ops remain. Returns `graph` itself when
 * nothing needs rewriting. The rewritten graph has its common subexpressions
 * merged (decompositions of related composite ops rebuild the same nodes).
 *
 * @example
 * ```ts
 * import { GraphBuilder, softmax, lowerGraph } from '@sas/core';
 * const b = new GraphBuilder();
 * b.output('p', softmax(b.input('x', [2, 3])));
 * const lowered = lowerGraph(b.build(), (op) => op !== 'Softmax', 'my-backend');
 * lowered.nodes.some((n) => n.op === 'Softmax'); // false
 * ```
 */
export function lowerGraph(graph: Graph, hasKernel: (op: string) => boolean, backendName: string): Graph {
  checkCanonical(graph, backendName);
  let current = graph;
  for (let depth = 0; depth < 8; depth++) {
    if (current.nodes.every((n) => n.op === 'Input' || n.op === 'Param' || n.op === 'Constant' || hasKernel(n.op))) {
      return current === graph ? graph : mergeCommonSubexpressions(current);
    }
    current = lowerOnce(current, hasKernel, backendName);
  }
  throw new SasError('E_BACKEND', `backend '${backendName}': decompositions did not converge after 8 rounds`);
}

/**
 * Refuses a graph whose axis attributes are not canonical (a hand-made graph
 * with a negative axis): kernels read axes as stored, so running it would
 * give wrong numbers rather than an error.
 */
function checkCanonical(graph: Graph, backendName: string): void {
  for (const node of graph.nodes) {
    const op = findOp(node.op);
    if (!op || !Object.values(op.attrs).some((spec) => spec.type === 'axis' || spec.type === 'axes')) continue;
    const canonical = canonicalAttrs(
      node.op,
      op.attrs,
      node.attrs,
      node.inputs.map((i) => graph.nodes[i]),
    );
    if (canonical !== node.attrs) {
      throw new SasError(
        'E_GRAPH',
        `backend '${backendName}': node ${node.id} (${node.op}) has attributes ${JSON.stringify(node.attrs)}, not the canonical ${JSON.stringify(canonical)}; build graphs with GraphBuilder or read them with graphFromJSON, which store axes non-negative and sorted`,
      );
    }
  }
}

function lowerOnce(graph: Graph, hasKernel: (op: string) => boolean, backendName: string): Graph {
  const b = new GraphBuilder(graph.dtype);
  const refs: NodeRef[] = [];
  for (const node of graph.nodes) {
    const inputs = node.inputs.map((i) => refs[i]);
    if (isLeaf(node.op)) refs.push(b.copyLeaf(node));
    else if (hasKernel(node.op)) refs.push(b.applyByName(node.op, inputs, node.attrs));
    else {
      const op = getOp(node.op);
      if (!op.decompose) {
        throw new SasError('E_BACKEND', `backend '${backendName}' has no kernel for op '${node.op}', and '${node.op}' has no decomposition`);
      }
      refs.push(op.decompose(inputs, node.attrs));
    }
  }
  for (const [name, id] of Object.entries(graph.outputs)) b.output(name, refs[id]);
  return b.build();
}
