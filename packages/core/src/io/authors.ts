import { SasError } from '../errors.js';
import { ownValue } from '../names.js';
import type { LayerConfig } from '../nn/config.js';
import { layerParams } from '../nn/params.js';
import type { Tensor } from '../tensor.js';
import { getTensor, parseSafetensors, serializeSafetensors, type SafetensorsContents, type SafetensorsDType } from './safetensors.js';

/**
 * Reads a layer's weights from a safetensors file written by the authors'
 * PyTorch code (`torch.save` of the state_dict through safetensors): every
 * parameter of SAS.md by its state_dict name, shape-checked against `config`.
 * Graph params carry the same names, so the result feeds a layer graph as is.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { loadAuthorsWeights } from '@sas/core';
 * const config = { kind: 'sas', batch: 1, seqLen: 4, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * const weights = loadAuthorsWeights(readFileSync('sas-tiny.safetensors'), config, 'sas-tiny.safetensors');
 * weights['sas_q.0.weight'].shape; // [4, 2, 3]
 * ```
 */
export function loadAuthorsWeights(bytes: Uint8Array, config: LayerConfig, source = '<bytes>'): Record<string, Tensor> {
  return authorsWeights(parseSafetensors(bytes, source), config, source);
}

/**
 * The layer's weights out of parsed safetensors contents (see
 * `loadAuthorsWeights`), for readers that parse the file themselves.
 *
 * @example
 * ```ts
 * import { authorsWeights, initParams, parseSafetensors, saveAuthorsWeights } from '@sas/core';
 * const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
 * const contents = parseSafetensors(saveAuthorsWeights(initParams(config, 1), config));
 * authorsWeights(contents, config)['output_dense.bias'].shape; // [8]
 * ```
 */
export function authorsWeights(contents: SafetensorsContents, config: LayerConfig, source = '<bytes>'): Record<string, Tensor> {
  const weights: Record<string, Tensor> = {};
  for (const p of layerParams(config)) weights[p.name] = getTensor(contents, p.name, p.shape, source);
  return weights;
}

/**
 * Writes a layer's weights under the authors' state_dict names, so their
 * PyTorch module loads them with `load_state_dict` unchanged.
 *
 * @example
 * ```ts
 * import { initParams, saveAuthorsWeights } from '@sas/core';
 * const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
 * const bytes = saveAuthorsWeights(initParams(config, 1), config, { dtype: 'F32' });
 * ```
 */
export function saveAuthorsWeights(
  weights: Readonly<Record<string, Tensor>>,
  config: LayerConfig,
  options: { dtype?: SafetensorsDType; metadata?: Record<string, string> } = {},
): Uint8Array {
  const selected: Record<string, Tensor> = {};
  for (const p of layerParams(config)) {
    const t = ownValue(weights, p.name);
    if (!t) throw new SasError('E_WEIGHTS', `saveAuthorsWeights: missing tensor '${p.name}'`);
    if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      throw new SasError('E_WEIGHTS', `saveAuthorsWeights: tensor '${p.name}' has shape [${t.shape.join(',')}], expected [${p.shape.join(',')}]`);
    }
    selected[p.name] = t;
  }
  return serializeSafetensors(selected, options);
}
