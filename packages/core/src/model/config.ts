import { SasError } from '../errors.js';
import { validateConfig, type LayerConfig } from '../nn/config.js';

/** The attention of each block: SAS (with its ablation switches) or a softmax baseline. */
export type ModelAttentionConfig =
  | {
      readonly kind: 'sas';
      /** H': simulated heads, a multiple of `heads`. */
      readonly simHeads: number;
      /** D': simulated query/key width; without feature maps it is D and may be left out. */
      readonly simHeadDim?: number;
      /** k: odd kernel size of the head-axis convolutions. */
      readonly kernelSize: number;
      /** The `.2`/`.3` feature maps of the q and k branches (default true; false: "head simulation only", D' = D). */
      readonly featureMaps?: boolean;
    }
  | {
      readonly kind: 'mha' | 'gqa' | 'mqa';
      /** Key/value heads: `heads` for MHA and 1 for MQA when left out; GQA needs it. */
      readonly kvHeads?: number;
    };

/** Which SAS maps a run keeps frozen (MODEL.md): all three branches, q and k, or v. */
export type FreezeSet = 'maps' | 'qk' | 'v';

/**
 * The char GPT of MODEL.md: a pre-norm GPT with learned positions and any
 * attention kind of the library in each block.
 */
export interface ModelConfig {
  readonly vocab: number;
  readonly width: number;
  readonly layers: number;
  readonly heads: number;
  readonly maxSeqLen: number;
  readonly attention: ModelAttentionConfig;
  /** SAS maps to keep frozen in training (no gradient, no decay, no update, out of the clipping norm). */
  readonly freeze?: FreezeSet;
}

/** A value as a message shows it: JSON, except non-finite numbers. */
function show(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

function positiveInt(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SasError('E_CONFIG', `config.${field}: expected a positive integer, got ${show(value)}`);
  }
  return value;
}

/**
 * The layer configuration of a block's attention for a batch shape; the
 * layer's own rules (simHeads a multiple of heads, an odd kernel, kvHeads
 * dividing heads, …) are checked here, named under `config.attention.`.
 *
 * @example
 * ```ts
 * import { attentionLayerConfig } from '@sas/core';
 * const model = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } } as const;
 * attentionLayerConfig(model, 2, 9); // { kind: 'mha', batch: 2, seqLen: 9, heads: 2, headDim: 8, kvHeads: 2, causal: true }
 * ```
 */
export function attentionLayerConfig(config: ModelConfig, batch: number, seqLen: number): LayerConfig {
  const a = config.attention;
  const headDim = config.width / config.heads;
  const layer =
    a.kind === 'sas'
      ? {
          kind: a.kind,
          batch,
          seqLen,
          heads: config.heads,
          headDim,
          simHeads: a.simHeads,
          simHeadDim: a.featureMaps === false ? (a.simHeadDim ?? headDim) : a.simHeadDim,
          kernelSize: a.kernelSize,
          featureMaps: a.featureMaps ?? true,
          causal: true,
        }
      : {
          kind: a.kind,
          batch,
          seqLen,
          heads: config.heads,
          headDim,
          kvHeads: a.kvHeads ?? (a.kind === 'mha' ? config.heads : a.kind === 'mqa' ? 1 : undefined),
          causal: true,
        };
  try {
    return validateConfig(layer);
  } catch (e) {
    if (e instanceof SasError && e.code === 'E_CONFIG') throw new SasError('E_CONFIG', e.message.replace(/^config\./, 'config.attention.'));
    throw e;
  }
}

/**
 * Validates a model configuration and returns it typed; every broken rule is
 * one `E_CONFIG` error naming the field, what was expected and what came.
 *
 * @example
 * ```ts
 * import { validateModelConfig } from '@sas/core';
 * validateModelConfig({ vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'sas', simHeads: 4, simHeadDim: 16, kernelSize: 3 } });
 * // width 15 instead throws: config.width: expected a multiple of heads (2), got 15
 * ```
 */
export function validateModelConfig(config: unknown): ModelConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new SasError('E_CONFIG', `config: expected an object, got ${config === null ? 'null' : Array.isArray(config) ? 'an array' : typeof config}`);
  }
  const c = config as Record<string, unknown>;
  for (const field of ['vocab', 'width', 'layers', 'heads', 'maxSeqLen']) positiveInt(field, c[field]);
  if ((c.width as number) % (c.heads as number) !== 0) {
    throw new SasError('E_CONFIG', `config.width: expected a multiple of heads (${c.heads}), got ${c.width}`);
  }
  const a = c.attention as Record<string, unknown> | undefined;
  if (a === null || typeof a !== 'object') throw new SasError('E_CONFIG', `config.attention: expected an object with a kind, got ${show(a)}`);
  if (!['sas', 'mha', 'gqa', 'mqa'].includes(a.kind as string)) {
    throw new SasError('E_CONFIG', `config.attention.kind: expected one of sas, mha, gqa, mqa, got ${show(a.kind)}`);
  }
  if (a.kind === 'sas' && a.featureMaps !== false && a.simHeadDim === undefined) {
    throw new SasError('E_CONFIG', 'config.attention.simHeadDim: expected a positive integer, got undefined');
  }
  attentionLayerConfig(c as unknown as ModelConfig, 1, 1);
  if (c.freeze !== undefined) {
    if (!['maps', 'qk', 'v'].includes(c.freeze as string)) throw new SasError('E_CONFIG', `config.freeze: expected 'maps', 'qk' or 'v', got ${show(c.freeze)}`);
    if (a.kind !== 'sas') throw new SasError('E_CONFIG', `config.freeze: only a SAS attention has maps to freeze, this one is ${a.kind}`);
  }
  return c as unknown as ModelConfig;
}

/**
 * Refuses a batch shape the model cannot take: positive sizes and
 * `seqLen ≤ maxSeqLen` (positions beyond it have no learned embedding).
 *
 * @example
 * ```ts
 * import { checkModelShape } from '@sas/core';
 * checkModelShape({ vocab: 13, width: 16, layers: 1, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } }, 2, 13);
 * // throws E_CONFIG: seqLen: expected at most config.maxSeqLen (12), got 13
 * ```
 */
export function checkModelShape(config: ModelConfig, batch: number, seqLen: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new SasError('E_CONFIG', `batch: expected a positive integer, got ${show(batch)}`);
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new SasError('E_CONFIG', `seqLen: expected a positive integer, got ${show(seqLen)}`);
  if (seqLen > config.maxSeqLen) throw new SasError('E_CONFIG', `seqLen: expected at most config.maxSeqLen (${config.maxSeqLen}), got ${seqLen}`);
}

/**
 * The config with every default written out and keys in a fixed order, so two
 * configs that mean the same model compare equal as JSON (a checkpoint's
 * config against a run's).
 *
 * @example
 * ```ts
 * import { canonicalModelConfig } from '@sas/core';
 * canonicalModelConfig({ vocab: 9, width: 8, layers: 1, heads: 2, maxSeqLen: 4, attention: { kind: 'mqa' } }).attention;
 * // { kind: 'mqa', kvHeads: 1 }
 * ```
 */
export function canonicalModelConfig(config: ModelConfig): ModelConfig {
  const c = validateModelConfig(config);
  const layer = attentionLayerConfig(c, 1, 1);
  const attention: ModelAttentionConfig =
    layer.kind === 'sas'
      ? { kind: 'sas', simHeads: layer.simHeads, simHeadDim: layer.simHeadDim, kernelSize: layer.kernelSize, featureMaps: layer.featureMaps !== false }
      : { kind: layer.kind, kvHeads: layer.kvHeads };
  const base = { vocab: c.vocab, width: c.width, layers: c.layers, heads: c.heads, maxSeqLen: c.maxSeqLen, attention };
  return c.freeze === undefined ? base : { ...base, freeze: c.freeze };
}
