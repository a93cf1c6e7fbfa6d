import { layerParams } from '../nn/params.js';
import { sizeOf } from '../tensor.js';
import { attentionLayerConfig, validateModelConfig, type ModelConfig } from './config.js';

/** How a parameter is initialised, as PyTorch does for its module. */
export type ParamInit =
  /** Embedding: N(0, 1). */
  | 'normal'
  /** LayerNorm weight. */
  | 'ones'
  /** LayerNorm bias. */
  | 'zeros'
  /** Linear and Conv1d weight and bias: uniform in ±1/√fanIn. */
  | 'uniform';

/** One trainable tensor of the model, under its MODEL.md name. */
export interface ModelParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParamInit;
  /** in_features (linear) or in_channels·k (conv), for 'uniform'. */
  readonly fanIn: number;
}

/** The model's parameters in MODEL.md's order, with shapes and a count. */
export interface ModelParams {
  readonly specs: readonly ModelParamSpec[];
  /** Name → shape. */
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  /** Number of trainable scalars. */
  readonly count: number;
}

const linear = (name: string, out: number, inFeatures: number): ModelParamSpec[] => [
  { name: `${name}.weight`, shape: [out, inFeatures], init: 'uniform', fanIn: inFeatures },
  { name: `${name}.bias`, shape: [out], init: 'uniform', fanIn: inFeatures },
];

const norm = (name: string, w: number): ModelParamSpec[] => [
  { name: `${name}.weight`, shape: [w], init: 'ones', fanIn: w },
  { name: `${name}.bias`, shape: [w], init: 'zeros', fanIn: w },
];

/**
 * Every parameter of the model under MODEL.md's names (`tok.weight`,
 * `blocks.0.attn.q_proj.weight`, `blocks.0.attn.sas_q.0.weight`, …,
 * `head.bias`), in a fixed order, with its init and the total count.
 *
 * @example
 * ```ts
 * import { modelParams } from '@sas/core';
 * const p = modelParams({ vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } });
 * p.shapes['blocks.1.mlp.fc.weight']; // [64, 16]
 * p.count; // 7213
 * ```
 */
export function modelParams(config: ModelConfig): ModelParams {
  const c = validateModelConfig(config);
  const layer = attentionLayerConfig(c, 1, 1);
  const w = c.width;
  const kvWidth = layer.kind === 'sas' ? w : layer.kvHeads * layer.headDim;
  const specs: ModelParamSpec[] = [
    { name: 'tok.weight', shape: [c.vocab, w], init: 'normal', fanIn: w },
    { name: 'pos.weight', shape: [c.maxSeqLen, w], init: 'normal', fanIn: w },
  ];
  for (let i = 0; i < c.layers; i++) {
    const block = `blocks.${i}`;
    specs.push(
      ...norm(`${block}.ln1`, w),
      ...linear(`${block}.attn.q_proj`, w, w),
      ...linear(`${block}.attn.k_proj`, kvWidth, w),
      ...linear(`${block}.attn.v_proj`, kvWidth, w),
      ...layerParams(layer).map((p) => ({ name: `${block}.attn.${p.name}`, shape: p.shape, init: 'uniform' as const, fanIn: p.fanIn })),
      ...norm(`${block}.ln2`, w),
      ...linear(`${block}.mlp.fc`, 4 * w, w),
      ...linear(`${block}.mlp.proj`, w, 4 * w),
    );
  }
  specs.push(...norm('ln_f', w), ...linear('head', c.vocab, w));
  return {
    specs,
    shapes: Object.fromEntries(specs.map((p) => [p.name, p.shape])),
    count: specs.reduce((n, p) => n + sizeOf(p.shape), 0),
  };
}

/** The SAS branch prefixes each freeze set covers. */
const FROZEN_BRANCHES = { maps: ['sas_q', 'sas_k', 'sas_v'], qk: ['sas_q', 'sas_k'], v: ['sas_v'] } as const;

/**
 * The parameters `config.freeze` keeps frozen (MODEL.md): `maps` = every
 * `sas_q.*`, `sas_k.*`, `sas_v.*`; `qk` = `sas_q.*` and `sas_k.*`; `v` =
 * `sas_v.*`; none without `freeze`. In modelParams order.
 *
 * @example
 * ```ts
 * import { frozenParams } from '@sas/core';
 * const config = { vocab: 9, width: 16, layers: 1, heads: 4, maxSeqLen: 6, freeze: 'v',
 *   attention: { kind: 'sas', simHeads: 8, simHeadDim: 8, kernelSize: 3 } } as const;
 * frozenParams(config); // ['blocks.0.attn.sas_v.0.weight', 'blocks.0.attn.sas_v.0.bias', …]
 * ```
 */
export function frozenParams(config: ModelConfig): string[] {
  if (config.freeze === undefined) return [];
  const branches: readonly string[] = FROZEN_BRANCHES[config.freeze];
  return modelParams(config)
    .specs.map((p) => p.name)
    .filter((name) => branches.some((b) => new RegExp(`^blocks\\.\\d+\\.attn\\.${b}\\.`).test(name)));
}
