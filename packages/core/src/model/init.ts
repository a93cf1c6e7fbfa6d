import { SasError } from '../errors.js';
import { seededRandom } from '../nn/init.js';
import { allocate, type DType, type Tensor } from '../tensor.js';
import { attentionLayerConfig, type ModelConfig } from './config.js';
import { modelParams, type ModelParamSpec } from './params.js';

/** Options of `initModel`. */
export interface InitModelOptions {
  /** 'random' (PyTorch's defaults) or 'identity' (the SAS maps start as attention with each head repeated). Default 'random'. */
  readonly init?: 'random' | 'identity';
  /** Default float32. */
  readonly dtype?: DType;
}

/** Fills `data` from `rand` per the spec's init: N(0,1) by Box–Muller, 1, 0, or uniform ±1/√fanIn. */
function fill(data: Float32Array | Float64Array, spec: ModelParamSpec, rand: () => number): void {
  if (spec.init === 'ones') data.fill(1);
  else if (spec.init === 'uniform') {
    const bound = 1 / Math.sqrt(spec.fanIn);
    for (let i = 0; i < data.length; i++) data[i] = (2 * rand() - 1) * bound;
  } else if (spec.init === 'normal') {
    for (let i = 0; i < data.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - rand()));
      const theta = 2 * Math.PI * rand();
      data[i] = r * Math.cos(theta);
      if (i + 1 < data.length) data[i + 1] = r * Math.sin(theta);
    }
  }
}

/**
 * MODEL.md's identity value of a SAS map parameter (`.0` conv weight is 1 at
 * [c, c mod H, (k−1)/2]; the `.2` linear is 1 on its diagonal up to
 * min(D, D'); every other map weight and bias 0), or undefined for any other
 * parameter.
 */
function identityValue(name: string, spec: ModelParamSpec, heads: number): ((data: Float32Array | Float64Array) => void) | undefined {
  const m = /\.attn\.sas_[qkv]\.(\d)\.(?:process\.)?(weight|bias)$/.exec(name);
  if (!m) return undefined;
  const [, map, kind] = m;
  return (data) => {
    data.fill(0);
    if (kind !== 'weight') return;
    if (map === '0') {
      const [simHeads, h, k] = spec.shape;
      for (let c = 0; c < simHeads; c++) data[(c * h + (c % heads)) * k + (k - 1) / 2] = 1;
    } else if (map === '2') {
      const [out, inFeatures] = spec.shape;
      for (let i = 0; i < Math.min(out, inFeatures); i++) data[i * inFeatures + i] = 1;
    }
  };
}

/**
 * Initialises every parameter of the model as PyTorch does (Embedding
 * N(0, 1), LayerNorm weight 1 and bias 0, Linear and Conv1d uniform
 * ±1/√fan_in), seeded: the same seed gives the same weights on every
 * machine (our generator, not PyTorch's). `init: 'identity'` then sets the
 * SAS maps to MODEL.md's identity, so SAS starts as attention with each head
 * repeated; the other parameters are the same as with 'random' and this seed.
 *
 * @example
 * ```ts
 * import { initModel } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12,
 *   attention: { kind: 'sas', simHeads: 4, simHeadDim: 16, kernelSize: 3 } } as const;
 * const params = initModel(config, 7, { init: 'identity', dtype: 'float64' });
 * params['blocks.0.attn.sas_q.1.process.weight'].data.every((v) => v === 0); // true
 * ```
 */
export function initModel(config: ModelConfig, seed: number, options: InitModelOptions = {}): Record<string, Tensor> {
  const init = options.init ?? 'random';
  if (init !== 'random' && init !== 'identity') throw new SasError('E_CONFIG', `init: expected 'random' or 'identity', got ${JSON.stringify(init)}`);
  if (!Number.isSafeInteger(seed)) throw new SasError('E_CONFIG', `seed: expected an integer, got ${String(seed)}`);
  const { specs } = modelParams(config);
  if (init === 'identity' && config.attention.kind !== 'sas') {
    throw new SasError('E_CONFIG', `init: 'identity' sets the SAS maps, but this model's attention is ${config.attention.kind}`);
  }
  const heads = attentionLayerConfig(config, 1, 1).heads;
  const dtype = options.dtype ?? 'float32';
  const rand = seededRandom(seed);
  const params: Record<string, Tensor> = {};
  for (const spec of specs) {
    const data = allocate(
      dtype,
      spec.shape.reduce((a, d) => a * d, 1),
    );
    fill(data, spec, rand);
    if (init === 'identity') identityValue(spec.name, spec, heads)?.(data);
    params[spec.name] = { dtype, shape: [...spec.shape], data };
  }
  return params;
}
