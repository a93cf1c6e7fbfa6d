import type { Graph } from '../ir/types.js';
import { buildAttention } from './attention.js';
import { validateConfig, type LayerConfig } from './config.js';
import { buildSAS, type LayerBuildOptions } from './sas.js';

/**
 * Validates `config` and builds the matching layer graph (SAS or a baseline).
 *
 * @example
 * ```ts
 * import { buildLayer } from '@sas/core';
 * const g = buildLayer({ kind: 'mqa', batch: 1, seqLen: 4, heads: 4, headDim: 8, kvHeads: 1, causal: true }, { dtype: 'float64' });
 * ```
 */
export function buildLayer(config: LayerConfig, options: LayerBuildOptions = {}): Graph {
  const c = validateConfig(config);
  return c.kind === 'sas' ? buildSAS(c, options) : buildAttention(c, options);
}
