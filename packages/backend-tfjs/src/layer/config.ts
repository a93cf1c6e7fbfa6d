import { SasError, validateConfig, type SASConfig } from '@sas/core';

/** The SAS hyper-parameters of a `SASAttention` layer (SAS.md's symbols in brackets). */
export interface SASAttentionConfig {
  /** H: heads of the incoming query, key and value. */
  readonly heads: number;
  /** D: head dim of the incoming query, key and value. */
  readonly headDim: number;
  /** H': simulated heads, a multiple of `heads`. */
  readonly simHeads: number;
  /** D': simulated query/key head dim. */
  readonly simHeadDim: number;
  /** k: odd kernel size of the head-axis convolutions (default 3). */
  readonly kernelSize?: number;
  /** Causal (lower-triangular) mask (default true, as the reference layer). */
  readonly causal?: boolean;
  /** Seed of the initial weights (weight i draws with seed + i); unseeded by default. */
  readonly seed?: number;
}

/**
 * The core SAS configuration for one call shape, validated: every broken rule
 * is an `E_CONFIG` error naming the field.
 *
 * @example
 * ```ts
 * sasConfigFor({ heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8 }, 1, 16).kernelSize; // 3
 * ```
 */
export function sasConfigFor(c: SASAttentionConfig, batch: number, seqLen: number): SASConfig {
  if (c === null || typeof c !== 'object') throw new SasError('E_CONFIG', `SASAttention: expected a config object, got ${String(c)}`);
  return validateConfig({
    kind: 'sas',
    batch,
    seqLen,
    heads: c.heads,
    headDim: c.headDim,
    simHeads: c.simHeads,
    simHeadDim: c.simHeadDim,
    kernelSize: c.kernelSize ?? 3,
    causal: c.causal ?? true,
  }) as SASConfig;
}
