import { SasError } from '../errors.js';

/** The attention layers this library builds. */
export type AttentionKind = 'sas' | 'mha' | 'gqa' | 'mqa';

/** Configuration of a SAS layer (SAS.md's symbols in brackets). */
export interface SASConfig {
  readonly kind: 'sas';
  /** B */ readonly batch: number;
  /** T */ readonly seqLen: number;
  /** H: heads of the incoming Q, K, V */ readonly heads: number;
  /** D: head dim */ readonly headDim: number;
  /** H': simulated heads, a multiple of H */ readonly simHeads: number;
  /** D': simulated query/key feature dim */ readonly simHeadDim: number;
  /** k: odd kernel size of the head-axis convolutions */ readonly kernelSize: number;
  /** Lower-triangular mask (the reference layer is causal). */ readonly causal: boolean;
  /**
   * Feature simulation (the `.2`/`.3` maps of the q and k branches); default
   * true. `false` is the "head simulation only" ablation: D' = D, so
   * simHeadDim must equal headDim.
   */
  readonly featureMaps?: boolean;
}

/** Configuration of a softmax-attention baseline: MHA (kvHeads = H), GQA, MQA (kvHeads = 1). */
export interface BaselineConfig {
  readonly kind: 'mha' | 'gqa' | 'mqa';
  readonly batch: number;
  readonly seqLen: number;
  readonly heads: number;
  readonly headDim: number;
  /** Key/value heads; must divide `heads`. */
  readonly kvHeads: number;
  readonly causal: boolean;
}

/** Any layer configuration. */
export type LayerConfig = SASConfig | BaselineConfig;

/** A value as a message shows it: JSON (so strings keep their quotes), except non-finite numbers, which JSON prints as null. */
function show(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

function positiveInt(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SasError('E_CONFIG', `config.${field}: expected a positive integer, got ${show(value)}`);
  }
}

/**
 * Validates a layer configuration and returns it typed; every broken rule is
 * one `E_CONFIG` error naming the field, what was expected and what came.
 *
 * @example
 * ```ts
 * import { validateConfig } from '@sas/core';
 * validateConfig({ kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true });
 * // validateConfig({ ...same, simHeads: 5 }) throws: config.simHeads: expected a multiple of heads (2), got 5
 * ```
 */
export function validateConfig(config: unknown): LayerConfig {
  if (config === null || typeof config !== 'object')
    throw new SasError('E_CONFIG', `config: expected an object, got ${config === null ? 'null' : typeof config}`);
  const c = config as Record<string, unknown>;
  if (!['sas', 'mha', 'gqa', 'mqa'].includes(c.kind as string)) {
    throw new SasError('E_CONFIG', `config.kind: expected one of sas, mha, gqa, mqa, got ${show(c.kind)}`);
  }
  for (const f of ['batch', 'seqLen', 'heads', 'headDim']) positiveInt(f, c[f]);
  if (typeof c.causal !== 'boolean') throw new SasError('E_CONFIG', `config.causal: expected a boolean, got ${show(c.causal)}`);
  if (c.kind === 'sas') {
    for (const f of ['simHeads', 'simHeadDim', 'kernelSize']) positiveInt(f, c[f]);
    const heads = c.heads as number;
    if ((c.simHeads as number) % heads !== 0) {
      throw new SasError('E_CONFIG', `config.simHeads: expected a multiple of heads (${heads}), got ${c.simHeads}`);
    }
    if (c.featureMaps !== undefined && typeof c.featureMaps !== 'boolean') {
      throw new SasError('E_CONFIG', `config.featureMaps: expected a boolean, got ${show(c.featureMaps)}`);
    }
    if (c.featureMaps === false && c.simHeadDim !== c.headDim) {
      throw new SasError('E_CONFIG', `config.simHeadDim: without feature maps D' = D, so expected headDim (${c.headDim}), got ${c.simHeadDim}`);
    }
    if ((c.kernelSize as number) % 2 === 0) {
      throw new SasError(
        'E_CONFIG',
        `config.kernelSize: expected an odd size (an even kernel changes the feature length in the reference), got ${c.kernelSize}`,
      );
    }
    return c as unknown as SASConfig;
  }
  positiveInt('kvHeads', c.kvHeads);
  const kv = c.kvHeads as number;
  if ((c.heads as number) % kv !== 0) throw new SasError('E_CONFIG', `config.kvHeads: expected a divisor of heads (${c.heads}), got ${kv}`);
  if (c.kind === 'mha' && kv !== c.heads) throw new SasError('E_CONFIG', `config.kvHeads: MHA has kvHeads = heads (${c.heads}), got ${kv}`);
  if (c.kind === 'mqa' && kv !== 1) throw new SasError('E_CONFIG', `config.kvHeads: MQA has kvHeads = 1, got ${kv}`);
  return c as unknown as BaselineConfig;
}
