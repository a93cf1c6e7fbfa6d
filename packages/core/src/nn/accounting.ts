import { sizeOf } from '../tensor.js';
import type { LayerConfig } from './config.js';
import { layerParams } from './params.js';

/**
 * Number of trainable scalars of a layer (SAS.md's count for SAS; the output
 * dense layer alone for the baselines, whose Q/K/V projections sit outside).
 *
 * @example
 * ```ts
 * import { countParams } from '@sas/core';
 * countParams({ kind: 'mha', batch: 1, seqLen: 1, heads: 12, headDim: 64, kvHeads: 12, causal: true }); // 590592
 * ```
 */
export function countParams(config: LayerConfig): number {
  return layerParams(config).reduce((n, p) => n + sizeOf(p.shape), 0);
}

/** A FLOPs estimate, term by term (SAS.md "Costs"; causal attention counted in full). */
export interface FlopsEstimate {
  readonly attention: number;
  readonly featureMaps: number;
  readonly convs: number;
  readonly dense: number;
  readonly total: number;
}

/**
 * Forward FLOPs of one layer (multiply and add counted separately).
 *
 * @example
 * ```ts
 * import { estimateFlops } from '@sas/core';
 * estimateFlops({ kind: 'sas', batch: 1, seqLen: 512, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3, causal: true }).total;
 * ```
 */
export function estimateFlops(config: LayerConfig): FlopsEstimate {
  const { batch: b, seqLen: t, heads: h, headDim: d } = config;
  const width = h * d;
  if (config.kind !== 'sas') {
    const attention = 2 * b * h * t * t * (d + d);
    const dense = 2 * b * t * width * width;
    return { attention, featureMaps: 0, convs: 0, dense, total: attention + dense };
  }
  const { simHeads: hs, simHeadDim: ds, kernelSize: k } = config;
  const attention = 2 * b * hs * t * t * (ds + d);
  const featureMaps = 2 * 2 * b * t * hs * (d * ds + ds * ds);
  const convs = 3 * 2 * b * t * d * k * (hs * h + hs * hs);
  const dense = 2 * b * t * (hs / h) * width * width;
  return { attention, featureMaps, convs, dense, total: attention + featureMaps + convs + dense };
}
