import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import { add } from '../ops/Add.js';
import { matMul } from '../ops/MatMul.js';
import { reshape } from '../ops/Reshape.js';
import { transpose } from '../ops/Transpose.js';
import { scaledDotProductAttention } from './attention-core.js';
import type { BaselineConfig } from './config.js';
import type { LayerBuildOptions, LayerNodes, LayerScope } from './sas.js';

/**
 * A softmax-attention baseline (MHA, GQA or MQA) on existing nodes: query
 * [B,T,H,D], key/value [B,T,kvHeads,D]; query head h reads kv head
 * ⌊h / (H/kvHeads)⌋; scale 1/√D; then `output_dense`, its params named
 * `scope.prefix` + `output_dense.*`. How a model puts the layer in a block.
 * `scope.attend` decides how the queries attend (default: to the tokens'
 * own keys and values; a decoding step: to a cache plus its own).
 *
 * @example
 * ```ts
 * import { GraphBuilder, attentionLayerNodes } from '@sas/core';
 * const b = new GraphBuilder();
 * const c = { kind: 'gqa', batch: 1, seqLen: 8, heads: 4, headDim: 8, kvHeads: 2, causal: true } as const;
 * const q = b.input('q', [1, 8, 4, 8]);
 * const [k, v] = ['k', 'v'].map((n) => b.input(n, [1, 8, 2, 8]));
 * const { output } = attentionLayerNodes({ builder: b, prefix: 'blocks.0.attn.' }, q, k, v, c); // [1, 8, 32]
 * ```
 */
export function attentionLayerNodes(scope: LayerScope, query: NodeRef, key: NodeRef, value: NodeRef, config: BaselineConfig): LayerNodes {
  const { batch: bs, seqLen: t, heads: h, headDim: d, kvHeads: kv } = config;
  const group = h / kv;
  const b = scope.builder;
  // Queries as [B, kv, group, T, D]; keys/values as [B, kv, 1, T, D], broadcast over the group.
  const q = transpose(reshape(query, [bs, t, kv, group, d]), [0, 2, 3, 1, 4]);
  const kvView = (x: NodeRef) => reshape(transpose(x, [0, 2, 1, 3]), [bs, kv, 1, t, d]);
  const heads = (scope.attend ?? scaledDotProductAttention)(q, kvView(key), kvView(value), 1 / Math.sqrt(d), config.causal);
  const attention = reshape(transpose(heads, [0, 3, 1, 2, 4]), [bs, t, h * d]);
  const width = h * d;
  const dense = b.param(`${scope.prefix}output_dense.weight`, [width, width]);
  const output = add(matMul(attention, dense, false, true), b.param(`${scope.prefix}output_dense.bias`, [width]));
  return { output, traces: { 'trace.attention': attention } };
}

/**
 * Builds a softmax-attention baseline (MHA, GQA or MQA) as a graph: query
 * [B,T,H,D], key/value [B,T,kvHeads,D]; query head h reads kv head
 * ⌊h / (H/kvHeads)⌋; scale 1/√D; then `output_dense`. Outputs `output` and
 * `trace.attention` [B,T,H·D].
 *
 * @example
 * ```ts
 * import { buildAttention } from '@sas/core';
 * const gqa = buildAttention({ kind: 'gqa', batch: 1, seqLen: 8, heads: 4, headDim: 8, kvHeads: 2, causal: true });
 * ```
 */
export function buildAttention(config: BaselineConfig, options: LayerBuildOptions = {}): Graph {
  const { batch: bs, seqLen: t, heads: h, headDim: d, kvHeads: kv } = config;
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const query = b.input('query', [bs, t, h, d]);
  const key = b.input('key', [bs, t, kv, d]);
  const value = b.input('value', [bs, t, kv, d]);
  const { output, traces } = attentionLayerNodes({ builder: b, prefix: '' }, query, key, value, config);
  b.output('trace.attention', traces['trace.attention']);
  b.output('output', output);
  return b.build();
}
