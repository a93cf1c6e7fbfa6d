import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import { attentionLayerNodes } from '../nn/attention.js';
import type { Attend } from '../nn/attend.js';
import { sasLayerNodes, type LayerScope } from '../nn/sas.js';
import { add } from '../ops/Add.js';
import { crossEntropy, IGNORE_INDEX } from '../ops/CrossEntropy.js';
import { gather } from '../ops/Gather.js';
import { layerNorm } from '../ops/LayerNorm.js';
import { matMul } from '../ops/MatMul.js';
import { mul } from '../ops/Mul.js';
import { reshape } from '../ops/Reshape.js';
import { tanh } from '../ops/Tanh.js';
import type { DType } from '../tensor.js';
import { attentionLayerConfig, checkModelShape, validateModelConfig, type ModelConfig } from './config.js';

/** Options of `buildModel`: the batch shape (graphs are static) and the dtype. */
export interface ModelBuildOptions {
  readonly batch: number;
  /** T ≤ config.maxSeqLen. */
  readonly seqLen: number;
  /** Default float32. */
  readonly dtype?: DType;
  /** Add the `targets` input and the `loss` output (default true); false for inference. */
  readonly loss?: boolean;
}

/** PyTorch's LayerNorm eps, MODEL.md's. */
const LN_EPS = 1e-5;

/** `x·Wᵀ + b` with W [out, in] (PyTorch layout) named `name.weight`, `name.bias`. */
function linear(b: GraphBuilder, x: NodeRef, name: string, out: number): NodeRef {
  const inFeatures = x.shape[x.shape.length - 1];
  return add(matMul(x, b.param(`${name}.weight`, [out, inFeatures]), false, true), b.param(`${name}.bias`, [out]));
}

function norm(b: GraphBuilder, x: NodeRef, name: string): NodeRef {
  const w = x.shape[x.shape.length - 1];
  return layerNorm(x, b.param(`${name}.weight`, [w]), b.param(`${name}.bias`, [w]), LN_EPS);
}

/** GELU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
function gelu(x: NodeRef): NodeRef {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1));
}

/** One pre-norm block: x + Attn(LN1(x)), then + MLP(LN2(x)); `attend` as the layer's scope takes it. */
function block(b: GraphBuilder, x: NodeRef, i: number, config: ModelConfig, batch: number, seqLen: number, attend?: Attend): NodeRef {
  const prefix = `blocks.${i}`;
  const layer = attentionLayerConfig(config, batch, seqLen);
  const kvHeads = layer.kind === 'sas' ? layer.heads : layer.kvHeads;
  const h = norm(b, x, `${prefix}.ln1`);
  const heads = (name: string, count: number) => reshape(linear(b, h, `${prefix}.attn.${name}`, count * layer.headDim), [batch, seqLen, count, layer.headDim]);
  const [q, k, v] = [heads('q_proj', layer.heads), heads('k_proj', kvHeads), heads('v_proj', kvHeads)];
  const scope: LayerScope = { builder: b, prefix: `${prefix}.attn.`, attend };
  const attended = layer.kind === 'sas' ? sasLayerNodes(scope, q, k, v, layer) : attentionLayerNodes(scope, q, k, v, layer);
  const x1 = add(x, attended.output);
  const hidden = gelu(linear(b, norm(b, x1, `${prefix}.ln2`), `${prefix}.mlp.fc`, 4 * config.width));
  return add(x1, linear(b, hidden, `${prefix}.mlp.proj`, config.width));
}

/** Where `languageModelNodes` reads its tokens, and what each block's attention sees. */
export interface ModelNodesOptions {
  readonly batch: number;
  /** Tokens the graph computes (T). */
  readonly seqLen: number;
  /** Token ids [B, T]: an Input with index domain [0, vocab). */
  readonly ids: NodeRef;
  /** Positions [T] of those tokens: ids into `pos.weight` (a constant 0..T−1, or an input when decoding). */
  readonly positions: NodeRef;
  /** Per block i, how its attention attends (default: to the tokens' own keys and values, causal). */
  readonly attend?: (layer: number) => Attend;
}

/**
 * MODEL.md's char GPT on existing nodes, the one definition of the model:
 * embeddings of `ids` at `positions`, the blocks, the final norm and head →
 * logits [B, T, vocab]. `buildModel` (the full forward pass) and the decoding
 * graphs (`buildPrefill`, `buildDecodeStep`: the same blocks attending to
 * a key/value cache) are this function with different leaves.
 *
 * @example
 * ```ts
 * import { GraphBuilder, languageModelNodes } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 1, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } } as const;
 * const b = new GraphBuilder('float64');
 * const ids = b.input('ids', [1, 4], { indexRange: 13 });
 * const logits = languageModelNodes(b, config, { batch: 1, seqLen: 4, ids, positions: b.constant([0, 1, 2, 3]) }); // [1, 4, 13]
 * ```
 */
export function languageModelNodes(b: GraphBuilder, config: ModelConfig, options: ModelNodesOptions): NodeRef {
  const c = validateModelConfig(config);
  const { batch, seqLen, ids, positions } = options;
  let x = add(gather(b.param('tok.weight', [c.vocab, c.width]), ids), gather(b.param('pos.weight', [c.maxSeqLen, c.width]), positions));
  for (let i = 0; i < c.layers; i++) x = block(b, x, i, c, batch, seqLen, options.attend?.(i));
  return linear(b, norm(b, x, 'ln_f'), 'head', c.vocab);
}

/**
 * Builds MODEL.md's char GPT as one graph: inputs `ids` [B,T] (integer ids
 * in [0, vocab), checked before every run) and `targets` [B,T] (ids or −100,
 * ignored); outputs `logits` [B,T,vocab] and `loss` (mean cross-entropy over
 * the counted positions). Parameters carry MODEL.md's names (`tok.weight`,
 * `blocks.0.attn.q_proj.weight`, `blocks.0.attn.sas_q.0.weight`, …), so the
 * fixtures' and PyTorch's state_dicts feed it as they are. Each block's
 * attention is the library's layer (`sasLayerNodes` or
 * `attentionLayerNodes`), causal.
 *
 * @example
 * ```ts
 * import { buildModel, initModel, evaluateReference, tensor } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12,
 *   attention: { kind: 'sas', simHeads: 4, simHeadDim: 16, kernelSize: 3 } } as const;
 * const graph = buildModel(config, { batch: 1, seqLen: 4, dtype: 'float64' });
 * const ids = tensor([1, 2, 3, 4], [1, 4]);
 * const targets = tensor([2, 3, 4, -100], [1, 4]);
 * const { loss } = await evaluateReference(graph, { ...initModel(config, 1, { dtype: 'float64' }), ids, targets });
 * ```
 */
export function buildModel(config: ModelConfig, options: ModelBuildOptions): Graph {
  const c = validateModelConfig(config);
  const { batch, seqLen } = options;
  checkModelShape(c, batch, seqLen);
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const ids = b.input('ids', [batch, seqLen], { indexRange: c.vocab });
  const positions = b.constant(
    Array.from({ length: seqLen }, (_, t) => t),
    [seqLen],
  );
  const logits = languageModelNodes(b, c, { batch, seqLen, ids, positions });
  b.output('logits', logits);
  if (options.loss !== false) {
    const targets = b.input('targets', [batch, seqLen], { indexRange: c.vocab, ignoreIndex: IGNORE_INDEX });
    b.output('loss', crossEntropy(logits, targets, IGNORE_INDEX));
  }
  return b.build();
}
