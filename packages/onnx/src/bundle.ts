import {
  ownValue,
  castTensor,
  fmtShape,
  graphFromJSON,
  graphParams,
  graphToJSON,
  leafName,
  parseSafetensors,
  sameShape,
  SasError,
  serializeSafetensors,
  type Graph,
  type Tensor,
} from '@sas/core';

/** A graph and the values of its `Param` nodes: what `sas export --format graph` writes. */
export interface GraphBundle {
  readonly graph: Graph;
  /** One tensor per `Param` node, by name, in the graph's dtype. */
  readonly weights: Record<string, Tensor>;
}

/** Metadata tag of a bundle's weights file. */
export const BUNDLE_WEIGHTS_FORMAT = 'sas-graph-weights';

/**
 * Where a graph file's weights live: `model.json` → `model.safetensors`;
 * any other name gets `.safetensors` appended (`model` → `model.safetensors`).
 *
 * @example
 * ```ts
 * import { weightsPathFor } from '@sas/onnx';
 * weightsPathFor('out/sas.json'); // 'out/sas.safetensors'
 * ```
 */
export function weightsPathFor(graphPath: string): string {
  return graphPath.endsWith('.json') ? `${graphPath.slice(0, -'.json'.length)}.safetensors` : `${graphPath}.safetensors`;
}

/**
 * The graph's JSON text with one node per line (readable, diffable); any JSON
 * reader sees the same document as `JSON.stringify(graphToJSON(graph))`.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp } from '@sas/core';
 * import { formatGraphJSON } from '@sas/onnx';
 * const b = new GraphBuilder();
 * b.output('y', exp(b.input('x', [3])));
 * formatGraphJSON(b.build()); // '{"format":"sas-graph","version":2,"dtype":"float32",\n "nodes":[\n  {"op":"Input",...'
 * ```
 */
export function formatGraphJSON(graph: Graph): string {
  const { nodes, outputs, ...header } = graphToJSON(graph);
  const head = JSON.stringify(header).slice(0, -1);
  const body = nodes.map((n) => `  ${JSON.stringify(n)}`).join(',\n');
  return `${head},\n "nodes":[\n${body}\n ],\n "outputs":${JSON.stringify(outputs)}}\n`;
}

/** Picks the graph's params out of `weights`, checked and cast to the graph dtype. */
function paramWeights(graph: Graph, weights: Readonly<Record<string, Tensor>>, where: string): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const node of graphParams(graph)) {
    const name = leafName(node);
    const t = ownValue(weights, name);
    if (!t) throw new SasError('E_WEIGHTS', `${where}: no tensor for param '${name}' (expected shape ${fmtShape(node.shape)})`);
    if (!sameShape(t.shape, node.shape))
      throw new SasError('E_WEIGHTS', `${where}: param '${name}' has shape ${fmtShape(t.shape)}, the graph expects ${fmtShape(node.shape)}`);
    out[name] = t.dtype === graph.dtype ? t : castTensor(t, graph.dtype);
  }
  return out;
}

/**
 * Serialises a graph (versioned JSON, docs/graph-format.md) and its params
 * (safetensors under the params' names, stored in the graph's dtype: F32 or
 * F64, so the values are kept bit for bit).
 *
 * @example
 * ```ts
 * import { buildLayer, initParams } from '@sas/core';
 * import { serializeGraphBundle } from '@sas/onnx';
 * const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
 * const { json, safetensors } = serializeGraphBundle(buildLayer(config), initParams(config, 1));
 * ```
 */
export function serializeGraphBundle(graph: Graph, weights: Readonly<Record<string, Tensor>>): { json: string; safetensors: Uint8Array } {
  const selected = paramWeights(graph, weights, 'serializeGraphBundle');
  return {
    json: formatGraphJSON(graph),
    safetensors: serializeSafetensors(selected, {
      dtype: graph.dtype === 'float32' ? 'F32' : 'F64',
      metadata: { format: BUNDLE_WEIGHTS_FORMAT, dtype: graph.dtype },
    }),
  };
}

/**
 * Reads a graph file and its weights file back; every param must have a
 * tensor of its shape. Errors name `source`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseGraphBundle } from '@sas/onnx';
 * const { graph, weights } = parseGraphBundle(readFileSync('sas.json', 'utf8'), readFileSync('sas.safetensors'), 'sas.json');
 * ```
 */
export function parseGraphBundle(json: string, safetensors: Uint8Array, source = '<graph>'): GraphBundle {
  const graph = graphFromJSON(json, source);
  const contents = parseSafetensors(safetensors, `${source} weights`);
  return { graph, weights: paramWeights(graph, Object.fromEntries(contents.tensors), `${source} weights`) };
}
