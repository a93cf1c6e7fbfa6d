// The decoding graphs: the prefill (the full forward pass over the prompt,
// also handing out every block's keys and values) and the step (one token
// against a cache of a given capacity). Both are `languageModelNodes`, the
// model's one definition, with a different attention per block.

import { SasError } from '../errors.js';
import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import { languageModelNodes } from '../model/build.js';
import { attentionLayerConfig, checkModelShape, validateModelConfig, type ModelConfig } from '../model/config.js';
import type { Attend } from '../nn/attend.js';
import { attentionLayerNodes } from '../nn/attention.js';
import { validateConfig, type LayerConfig } from '../nn/config.js';
import { sasLayerNodes, type LayerScope } from '../nn/sas.js';
import { reshape } from '../ops/Reshape.js';
import type { DType } from '../tensor.js';
import { cachedAttention, cacheSlots, recordingAttention, type RecordedKeyValues } from './cache-attention.js';

/** Graph input of block i's cached keys [B, kvHeads, C, Dk]. */
export const cacheKeyName = (layer: number): string => `cache.${layer}.key`;
/** Graph input of block i's cached values [B, kvHeads, C, Dv]. */
export const cacheValueName = (layer: number): string => `cache.${layer}.value`;
/** Graph output of the keys block i made for the graph's tokens [B, kvHeads, T, Dk]. */
export const newKeyName = (layer: number): string => `new.${layer}.key`;
/** Graph output of the values block i made for the graph's tokens [B, kvHeads, T, Dv]. */
export const newValueName = (layer: number): string => `new.${layer}.value`;

/** What one token leaves in one block's cache. */
export interface CacheRowShape {
  /** kvHeads: H' for SAS (its simulated heads), kvHeads for MHA/GQA/MQA. */
  readonly heads: number;
  /** Dk: D' for SAS with feature maps, else D. */
  readonly keyDim: number;
  /** Dv: D. */
  readonly valueDim: number;
}

/**
 * Per token, what a layer's cache holds: SAS its simulated keys [H', D'] and
 * values [H', D] (the head and feature maps act per token, so they are
 * computed once); MHA/GQA/MQA the keys and values of their kv heads [kvHeads, D].
 *
 * @example
 * ```ts
 * import { layerCacheRow } from '@sas/core';
 * layerCacheRow({ kind: 'sas', batch: 1, seqLen: 1, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3, causal: true });
 * // { heads: 24, keyDim: 128, valueDim: 64 }
 * ```
 */
export function layerCacheRow(config: LayerConfig): CacheRowShape {
  if (config.kind === 'sas') {
    return { heads: config.simHeads, keyDim: config.featureMaps === false ? config.headDim : config.simHeadDim, valueDim: config.headDim };
  }
  return { heads: config.kvHeads, keyDim: config.headDim, valueDim: config.headDim };
}

/**
 * Per block, what the model's cache holds for one token (every block alike).
 *
 * @example
 * ```ts
 * import { modelCacheRow } from '@sas/core';
 * modelCacheRow({ vocab: 13, width: 16, layers: 2, heads: 4, maxSeqLen: 12, attention: { kind: 'gqa', kvHeads: 2 } });
 * // { heads: 2, keyDim: 4, valueDim: 4 }
 * ```
 */
export function modelCacheRow(config: ModelConfig): CacheRowShape {
  return layerCacheRow(attentionLayerConfig(validateModelConfig(config), 1, 1));
}

/** Options of `buildPrefill`. */
export interface PrefillOptions {
  readonly batch: number;
  /** Prompt length P ≤ maxSeqLen. */
  readonly seqLen: number;
  readonly dtype?: DType;
}

/**
 * The prefill graph: the full forward pass over the prompt (`ids` [B, P]) in
 * one graph, with outputs `logits` [B, P, vocab] and, per block i,
 * `new.i.key` / `new.i.value` [B, kvHeads, P, ·]: the cache's first P rows.
 * Its logits are `buildModel`'s, node for node.
 *
 * @example
 * ```ts
 * import { buildPrefill } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'mqa' } } as const;
 * Object.keys(buildPrefill(config, { batch: 1, seqLen: 5 }).outputs); // ['logits', 'new.0.key', 'new.0.value', 'new.1.key', 'new.1.value']
 * ```
 */
export function buildPrefill(config: ModelConfig, options: PrefillOptions): Graph {
  const c = validateModelConfig(config);
  const { batch, seqLen } = options;
  checkModelShape(c, batch, seqLen);
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const ids = b.input('ids', [batch, seqLen], { indexRange: c.vocab });
  const positions = b.constant(
    Array.from({ length: seqLen }, (_, t) => t),
    [seqLen],
  );
  const recorded: RecordedKeyValues[] = [];
  const attend = recordingAttention(recorded);
  b.output('logits', languageModelNodes(b, c, { batch, seqLen, ids, positions, attend: () => attend }));
  outputRecorded(b, recorded, batch, modelCacheRow(c));
  return b.build();
}

/** Options of `buildDecodeStep`. */
export interface DecodeStepOptions {
  readonly batch: number;
  /** Cache capacity C ≤ maxSeqLen: the step graph serves positions 0..C−1. */
  readonly capacity: number;
  readonly dtype?: DType;
}

/**
 * One decoding step against a cache of capacity C: inputs `ids` [B, 1] (the
 * new token), `position` [1] (its position p < C) and per block i
 * `cache.i.key` [B, kvHeads, C, Dk] / `cache.i.value` [B, kvHeads, C, Dv]
 * (slots 0..p−1 filled, the rest zeros); outputs `logits` [B, 1, vocab] and
 * `new.i.key` / `new.i.value` [B, kvHeads, 1, ·] (the row to store at p).
 * Per block the new token's keys and values are computed once, and attention
 * reads cache slots 0..p−1 plus the token's own (`cachedAttention`); the
 * prefix is never recomputed, so a step costs O(C) (the cache read), not O(p²).
 *
 * @example
 * ```ts
 * import { buildDecodeStep } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 1, heads: 2, maxSeqLen: 12, attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 3 } } as const;
 * const step = buildDecodeStep(config, { batch: 1, capacity: 8 });
 * step.nodes.find((n) => n.attrs.name === 'cache.0.key')?.shape; // [1, 4, 8, 8]: [B, H', C, D']
 * ```
 */
export function buildDecodeStep(config: ModelConfig, options: DecodeStepOptions): Graph {
  const c = validateModelConfig(config);
  const { batch, capacity } = options;
  checkModelShape(c, batch, 1);
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > c.maxSeqLen) {
    throw new SasError('E_CONFIG', `capacity: expected an integer in [1, ${c.maxSeqLen}] (config.maxSeqLen), got ${capacity}`);
  }
  const row = modelCacheRow(c);
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const ids = b.input('ids', [batch, 1], { indexRange: c.vocab });
  const position = b.input('position', [1], { indexRange: capacity });
  const slots = cacheSlots(position, capacity);
  const recorded: RecordedKeyValues[] = [];
  const attends: Attend[] = Array.from({ length: c.layers }, (_, i) =>
    recordingAttention(
      recorded,
      cachedAttention(
        b.input(cacheKeyName(i), [batch, row.heads, capacity, row.keyDim]),
        b.input(cacheValueName(i), [batch, row.heads, capacity, row.valueDim]),
        slots,
      ),
    ),
  );
  b.output('logits', languageModelNodes(b, c, { batch, seqLen: 1, ids, positions: position, attend: (i) => attends[i] }));
  outputRecorded(b, recorded, batch, row);
  return b.build();
}

/** The recorded keys and values as `new.i.key` / `new.i.value` [B, kvHeads, T, ·] (GQA's [B, kv, 1, T, D] read as such). */
function outputRecorded(b: GraphBuilder, recorded: readonly RecordedKeyValues[], batch: number, row: CacheRowShape, names = [newKeyName, newValueName]): void {
  recorded.forEach(({ key, value }, i) => {
    const tokens = key.shape[key.shape.length - 2];
    b.output(names[0](i), reshape(key, [batch, row.heads, tokens, row.keyDim]));
    b.output(names[1](i), reshape(value, [batch, row.heads, tokens, row.valueDim]));
  });
}

function layerNodes(b: GraphBuilder, config: LayerConfig, attend: Attend): NodeRef {
  const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
  const { batch, seqLen, heads, headDim } = config;
  const query = b.input('query', [batch, seqLen, heads, headDim]);
  const key = b.input('key', [batch, seqLen, kv, headDim]);
  const value = b.input('value', [batch, seqLen, kv, headDim]);
  const scope: LayerScope = { builder: b, prefix: '', attend };
  return (config.kind === 'sas' ? sasLayerNodes(scope, query, key, value, config) : attentionLayerNodes(scope, query, key, value, config)).output;
}

/**
 * A layer alone over `config.seqLen` tokens (inputs `query`, `key`, `value`
 * as `buildLayer`'s), with outputs `output` and the cache rows its tokens
 * made, `new.key` / `new.value` [B, kvHeads, T, ·]: a layer's prefill.
 *
 * @example
 * ```ts
 * import { buildLayerPrefill } from '@sas/core';
 * const g = buildLayerPrefill({ kind: 'mha', batch: 1, seqLen: 8, heads: 2, headDim: 4, kvHeads: 2, causal: true });
 * Object.keys(g.outputs); // ['output', 'new.key', 'new.value']
 * ```
 */
export function buildLayerPrefill(config: LayerConfig, options: { readonly dtype?: DType } = {}): Graph {
  const c = validateConfig(config);
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const recorded: RecordedKeyValues[] = [];
  b.output('output', layerNodes(b, c, recordingAttention(recorded)));
  outputRecorded(b, recorded, c.batch, layerCacheRow(c), [() => 'new.key', () => 'new.value']);
  return b.build();
}

/**
 * A layer's decoding step against a cache of capacity C (the layer's own
 * `config.seqLen` is ignored: one token): inputs `query`, `key`, `value`
 * [B, 1, ·, D], `position` [1] and `cache.key` / `cache.value`
 * [B, kvHeads, C, ·]; outputs `output` [B, 1, H·D], `new.key`, `new.value`
 * [B, kvHeads, 1, ·].
 * What the benchmark times for the paper-head shape.
 *
 * @example
 * ```ts
 * import { buildLayerDecodeStep } from '@sas/core';
 * const config = { kind: 'sas', batch: 1, seqLen: 1, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3, causal: true } as const;
 * buildLayerDecodeStep(config, { capacity: 2048 }).nodes.find((n) => n.attrs.name === 'cache.key')?.shape; // [1, 24, 2048, 128]
 * ```
 */
export function buildLayerDecodeStep(config: LayerConfig, options: { readonly capacity: number; readonly dtype?: DType }): Graph {
  const c = validateConfig({ ...config, seqLen: 1, causal: true });
  const { capacity } = options;
  if (!Number.isInteger(capacity) || capacity < 1) throw new SasError('E_CONFIG', `capacity: expected a positive integer, got ${capacity}`);
  const row = layerCacheRow(c);
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const position = b.input('position', [1], { indexRange: capacity });
  const attend = cachedAttention(
    b.input('cache.key', [c.batch, row.heads, capacity, row.keyDim]),
    b.input('cache.value', [c.batch, row.heads, capacity, row.valueDim]),
    cacheSlots(position, capacity),
  );
  const recorded: RecordedKeyValues[] = [];
  b.output('output', layerNodes(b, c, recordingAttention(recorded, attend)));
  outputRecorded(b, recorded, c.batch, row, [() => 'new.key', () => 'new.value']);
  return b.build();
}
