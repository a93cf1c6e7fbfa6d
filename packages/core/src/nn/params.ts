import type { LayerConfig, SASConfig } from './config.js';

/** One trainable tensor of a layer, under the authors' state_dict name. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** PyTorch's fan_in for its default init: in_features (linear) or in_channels·k (conv). */
  readonly fanIn: number;
}

function sasBranch(prefix: 'sas_q' | 'sas_k' | 'sas_v', c: SASConfig): ParamSpec[] {
  const { heads: h, simHeads: hs, headDim: d, simHeadDim: ds, kernelSize: k } = c;
  const specs: ParamSpec[] = [
    { name: `${prefix}.0.weight`, shape: [hs, h, k], fanIn: h * k },
    { name: `${prefix}.0.bias`, shape: [hs], fanIn: h * k },
    { name: `${prefix}.1.process.weight`, shape: [hs, hs, k], fanIn: hs * k },
    { name: `${prefix}.1.process.bias`, shape: [hs], fanIn: hs * k },
  ];
  if (prefix !== 'sas_v' && c.featureMaps !== false) {
    specs.push(
      { name: `${prefix}.2.weight`, shape: [ds, d], fanIn: d },
      { name: `${prefix}.2.bias`, shape: [ds], fanIn: d },
      { name: `${prefix}.3.process.weight`, shape: [ds, ds], fanIn: ds },
      { name: `${prefix}.3.process.bias`, shape: [ds], fanIn: ds },
    );
  }
  return specs;
}

/**
 * The layer's parameters in the authors' naming (SAS.md), in a fixed order.
 *
 * @example
 * ```ts
 * import { layerParams } from '@sas/core';
 * layerParams({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true })
 *   .map((p) => p.name); // ['output_dense.weight', 'output_dense.bias']
 * ```
 */
export function layerParams(config: LayerConfig): ParamSpec[] {
  const width = config.heads * config.headDim;
  const dense: ParamSpec[] = [
    { name: 'output_dense.weight', shape: [width, width], fanIn: width },
    { name: 'output_dense.bias', shape: [width], fanIn: width },
  ];
  if (config.kind !== 'sas') return dense;
  return [...sasBranch('sas_q', config), ...sasBranch('sas_k', config), ...sasBranch('sas_v', config), ...dense];
}
