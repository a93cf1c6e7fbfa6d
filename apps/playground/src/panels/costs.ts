/**
 * Parameters and FLOPs of a SAS layer against the MHA layer of the same
 * shape, from core's accounting (`countParams`, `estimateFlops`: SAS.md's
 * counts, multiply and add counted separately, causal attention in full).
 * Both leave out the q/k/v projections, which the two share.
 */
import { countParams, estimateFlops, validateConfig, type FlopsEstimate } from '@sas/core';

/** The shape the user picks: sequence length, heads and head width, simulated heads and width, kernel. */
export interface LayerShape {
  readonly seqLen: number;
  readonly heads: number;
  readonly headDim: number;
  readonly simHeads: number;
  readonly simHeadDim: number;
  readonly kernelSize: number;
}

/** One row of the comparison. */
export interface CostRow {
  readonly what: string;
  readonly sas: number;
  readonly mha: number;
}

/**
 * The comparison rows for `shape` (batch 1, causal); an impossible shape
 * (H' not a multiple of H, an even kernel, …) is core's one-line E_CONFIG error.
 *
 * @example
 * ```ts
 * compareCosts({ seqLen: 27, heads: 4, headDim: 16, simHeads: 8, simHeadDim: 32, kernelSize: 3 })[0];
 * // { what: 'parameters (layer, without the q/k/v projections)', sas: …, mha: 4160 }
 * ```
 */
export function compareCosts(shape: LayerShape): CostRow[] {
  const common = { batch: 1, seqLen: shape.seqLen, heads: shape.heads, headDim: shape.headDim, causal: true };
  const sas = validateConfig({ kind: 'sas', ...common, simHeads: shape.simHeads, simHeadDim: shape.simHeadDim, kernelSize: shape.kernelSize });
  const mha = validateConfig({ kind: 'mha', ...common, kvHeads: shape.heads });
  const [fs, fm] = [estimateFlops(sas), estimateFlops(mha)];
  const flops = (what: string, key: keyof FlopsEstimate) => ({ what, sas: fs[key], mha: fm[key] });
  return [
    { what: 'parameters (layer, without the q/k/v projections)', sas: countParams(sas), mha: countParams(mha) },
    flops('FLOPs: attention (scores and weighted values)', 'attention'),
    flops('FLOPs: feature maps (D → D′ MLPs)', 'featureMaps'),
    flops('FLOPs: head convolutions', 'convs'),
    flops('FLOPs: output dense (PEAA for SAS)', 'dense'),
    flops('FLOPs: total, one forward pass', 'total'),
  ];
}
