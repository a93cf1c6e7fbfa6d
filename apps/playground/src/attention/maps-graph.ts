/**
 * The graph behind the attention maps: the char GPT over a text, as core
 * builds it (`languageModelNodes`), with two extra outputs for one block:
 *
 * - `maps.model` [1, heads, T, T]: the attention probabilities the block
 *   really uses. For SAS these are its H' simulated heads: scores from the
 *   simulated queries and keys (after the head convolutions and feature
 *   maps, D' wide), softmax under the causal mask. The block's attention is
 *   written out as matMul → scale → causal mask → softmax → matMul (the
 *   `Attention` op's own decomposition) so its probabilities can be read;
 *   the logits stay the model's.
 * - `maps.mha` [1, H, T, T]: the MHA-shaped view, the attention an ordinary
 *   multi-head layer would compute from the same block's *un-simulated*
 *   heads: the q_proj and k_proj outputs split into H heads of D,
 *   softmax(q_h·k_hᵀ/√D) under the causal mask. The SAS model never computes
 *   it; it shows what its H heads attend to before the head and feature
 *   simulation makes H' out of them. For an MHA checkpoint the two outputs
 *   are the same attention (a test checks it).
 */
import {
  causalMask,
  GraphBuilder,
  languageModelNodes,
  matMul,
  mul,
  reshape,
  scaledDotProductAttention,
  softmax,
  transpose,
  validateModelConfig,
  type Attend,
  type DType,
  type Graph,
  type GraphNode,
  type ModelConfig,
  type NodeRef,
} from '@sas/core';

/** Output names of the maps graph. */
export const MODEL_MAPS = 'maps.model';
export const MHA_MAPS = 'maps.mha';

/** softmax(mask(q·kᵀ·scale)) per head: q [.., Tq, D], k [.., Tk, D] → [.., Tq, Tk]. */
function probabilities(q: NodeRef, k: NodeRef, scale: number, causal: boolean): NodeRef {
  const scores = mul(matMul(q, k, false, true), scale);
  return softmax(causal ? causalMask(scores) : scores);
}

/** The node (as a ref) that reshapes block `layer`'s `name` projection (`q_proj`, `k_proj`) into heads [B, T, heads, D]. */
function projectionHeads(builder: GraphBuilder, nodes: readonly GraphNode[], layer: number, name: string): NodeRef {
  const biasName = `blocks.${layer}.attn.${name}.bias`;
  const bias = nodes.find((n) => n.op === 'Param' && n.attrs.name === biasName);
  const add = bias && nodes.find((n) => n.op === 'Add' && n.inputs.includes(bias.id));
  const heads = add && nodes.find((n) => n.op === 'Reshape' && n.inputs[0] === add.id);
  if (heads === undefined || heads.shape.length !== 4)
    throw new Error(`attention maps: block ${layer} has no ${name} heads (expected Param ${biasName} → Add → Reshape [B, T, heads, D])`);
  return builder.ref(heads.id);
}

/**
 * Builds the maps graph of `config` for one text of `seqLen` tokens (input
 * `ids` [1, T]; outputs `logits`, `maps.model`, `maps.mha`) at block `layer`.
 *
 * @example
 * ```ts
 * import { buildAttentionMaps } from './maps-graph.js';
 * const graph = buildAttentionMaps(model.config, 0, 27);
 * // run it: backend.run(graph, { ...model.params, ids }) → maps.model [1, 8, 27, 27], maps.mha [1, 4, 27, 27]
 * ```
 */
export function buildAttentionMaps(config: ModelConfig, layer: number, seqLen: number, dtype: DType = 'float32'): Graph {
  const c = validateModelConfig(config);
  if (!Number.isInteger(layer) || layer < 0 || layer >= c.layers)
    throw new Error(`attention maps: layer must be an integer in [0, ${c.layers - 1}], got ${layer}`);
  const b = new GraphBuilder(dtype);
  const ids = b.input('ids', [1, seqLen], { indexRange: c.vocab });
  const positions = b.constant(
    Array.from({ length: seqLen }, (_, t) => t),
    [seqLen],
  );
  let recorded: NodeRef | undefined;
  const recording: Attend = (q, k, v, scale, causal) => {
    recorded = probabilities(q, k, scale, causal);
    return matMul(recorded, v);
  };
  b.output('logits', languageModelNodes(b, c, { batch: 1, seqLen, ids, positions, attend: (i) => (i === layer ? recording : scaledDotProductAttention) }));
  // GQA/MQA score tensors are [B, kv, group, T, T]: read them as [1, heads, T, T].
  const heads = recorded!.shape.slice(0, -2).reduce((n, d) => n * d, 1);
  b.output(MODEL_MAPS, reshape(recorded!, [1, heads, seqLen, seqLen]));
  const model = b.build();

  // The MHA-shaped view reads nodes the model already has, so it goes on a copy of the built graph.
  const { builder } = GraphBuilder.from(model);
  const q = projectionHeads(builder, model.nodes, layer, 'q_proj');
  const k = projectionHeads(builder, model.nodes, layer, 'k_proj');
  const headDim = q.shape[3];
  if (k.shape[2] !== q.shape[2])
    throw new Error(`attention maps: the MHA-shaped view needs as many key heads as query heads, got ${k.shape[2]} and ${q.shape[2]}`);
  const perHead = (x: NodeRef) => transpose(x, [0, 2, 1, 3]);
  builder.output(MHA_MAPS, probabilities(perHead(q), perHead(k), 1 / Math.sqrt(headDim), true));
  return builder.build();
}
