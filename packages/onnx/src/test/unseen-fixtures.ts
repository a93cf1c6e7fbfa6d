// Writes a fixture directory in the bundled format for configurations the
// bundled set does not have. Expected numbers come from the float64 reference
// (the oracle), so a backend that passes the bundled set and this one handles
// new shapes, not only the ones it was tuned on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildLayer,
  evaluateReference,
  grad,
  initParams,
  layerParams,
  randomNormal,
  serializeSafetensors,
  withCotangentLoss,
  type LayerConfig,
  type Tensor,
} from '@sas/core';

export const UNSEEN_CONFIGS: readonly [string, LayerConfig][] = [
  ['sas-t1', { kind: 'sas', batch: 1, seqLen: 1, heads: 1, headDim: 3, simHeads: 2, simHeadDim: 2, kernelSize: 5, causal: true }],
  ['sas-wide', { kind: 'sas', batch: 3, seqLen: 5, heads: 2, headDim: 3, simHeads: 6, simHeadDim: 2, kernelSize: 3, causal: false }],
  ['sas-k7', { kind: 'sas', batch: 2, seqLen: 6, heads: 4, headDim: 5, simHeads: 8, simHeadDim: 7, kernelSize: 7, causal: true }],
  ['gqa-3', { kind: 'gqa', batch: 1, seqLen: 4, heads: 6, headDim: 2, kvHeads: 2, causal: true }],
  ['mqa-bidir', { kind: 'mqa', batch: 2, seqLen: 3, heads: 4, headDim: 3, kvHeads: 1, causal: false }],
];

/** Fills `dir` with manifest.json and one safetensors file per config (inputs, params, outputs, traces, gradients). */
export async function writeUnseenFixtures(dir: string): Promise<void> {
  const cases = [];
  for (const [i, [name, config]] of UNSEEN_CONFIGS.entries()) {
    const params = initParams(config, 10 + i, 'float64');
    const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
    const inputs = {
      query: randomNormal([config.batch, config.seqLen, config.heads, config.headDim], 20 + i, 'float64'),
      key: randomNormal([config.batch, config.seqLen, kv, config.headDim], 30 + i, 'float64'),
      value: randomNormal([config.batch, config.seqLen, kv, config.headDim], 40 + i, 'float64'),
    };
    const cotangent = randomNormal([config.batch, config.seqLen, config.heads * config.headDim], 50 + i, 'float64');
    const wrt = ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)];
    const graph = grad(withCotangentLoss(buildLayer(config, { dtype: 'float64' }), 'output'), 'loss', { wrt });
    const out = await evaluateReference(graph, { ...inputs, ...params, cotangent });
    const tensors: Record<string, Tensor> = { ...params, cotangent };
    for (const [k, t] of Object.entries(out)) {
      if (k !== 'loss') tensors[['grad.query', 'grad.key', 'grad.value'].includes(k) ? k.replace('grad.', 'grad.input.') : k] = t;
    }
    for (const [k, t] of Object.entries(inputs)) tensors[`input.${k}`] = t;
    writeFileSync(join(dir, `${name}.safetensors`), serializeSafetensors(tensors));
    cases.push({ name, file: `${name}.safetensors`, ...config });
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ description: 'unseen shapes, float64 reference', dtype: 'F64', cases }));
}
