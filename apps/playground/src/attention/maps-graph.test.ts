import { join } from 'node:path';
import { buildModel, castTensor, evaluateReference, initModel, tensor, type ModelConfig, type Tensor } from '@sas/core';
import { bundledModelFixturesDir, readLanguageModelFile } from '@sas/conformance';
import { describe, expect, it } from 'vitest';
import { buildAttentionMaps, MHA_MAPS, MODEL_MAPS } from './maps-graph.js';

const checkpoint = readLanguageModelFile(join(bundledModelFixturesDir(), 'generation', 'gen-sas-brown.safetensors'));
const as64 = (params: Readonly<Record<string, Tensor>>) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, castTensor(v, 'float64')]));
const T = 12;
const ids = tensor(
  Array.from({ length: T }, (_, i) => (i * 7 + 3) % 84),
  [1, T],
  'float64',
);

const maxDiff = (a: Tensor, b: Tensor) => Math.max(...Array.from(a.data, (x, i) => Math.abs(x - b.data[i])));

describe('the attention maps graph (float64 reference)', () => {
  it('leaves the model as it is: its logits equal buildModel’s, for every block chosen', async () => {
    const params = as64(checkpoint.params);
    const { logits } = await evaluateReference(buildModel(checkpoint.config, { batch: 1, seqLen: T, dtype: 'float64', loss: false }), { ...params, ids });
    for (let layer = 0; layer < checkpoint.config.layers; layer++) {
      const out = await evaluateReference(buildAttentionMaps(checkpoint.config, layer, T, 'float64'), { ...params, ids });
      expect(maxDiff(out.logits, logits)).toBeLessThan(1e-12);
    }
  });

  it('SAS checkpoint: H′ = 8 simulated maps and H = 4 MHA-view maps, each row a causal probability distribution', async () => {
    const out = await evaluateReference(buildAttentionMaps(checkpoint.config, 1, T, 'float64'), { ...as64(checkpoint.params), ids });
    expect(out[MODEL_MAPS].shape).toEqual([1, 8, T, T]);
    expect(out[MHA_MAPS].shape).toEqual([1, 4, T, T]);
    for (const maps of [out[MODEL_MAPS], out[MHA_MAPS]]) {
      const heads = maps.shape[1];
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < T; i++) {
          const row = maps.data.subarray((h * T + i) * T, (h * T + i + 1) * T);
          expect(Math.abs(Array.from(row).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
          for (let j = i + 1; j < T; j++) expect(row[j]).toBe(0);
        }
      }
    }
  });

  it('MHA-shaped view of a SAS block 0 = the attention of an MHA model sharing its embeddings, ln1 and q/k projections', async () => {
    // Block 0's input depends only on the embeddings, so an MHA model given the same tensors there
    // computes, as its real attention, exactly what the view claims to show.
    const sas = as64(checkpoint.params);
    const mhaConfig: ModelConfig = { ...checkpoint.config, attention: { kind: 'mha' } };
    const shared = Object.keys(sas).filter((k) => /^(tok|pos)\.|^blocks\.0\.(ln1|attn\.(q_proj|k_proj))\./.test(k));
    const mha = { ...initModel(mhaConfig, 5, { dtype: 'float64' }), ...Object.fromEntries(shared.map((k) => [k, sas[k]])) };
    const view = (await evaluateReference(buildAttentionMaps(checkpoint.config, 0, T, 'float64'), { ...sas, ids }))[MHA_MAPS];
    const real = (await evaluateReference(buildAttentionMaps(mhaConfig, 0, T, 'float64'), { ...mha, ids }))[MODEL_MAPS];
    expect(shared.length).toBe(8);
    expect(maxDiff(view, real)).toBeLessThan(1e-12);
  });

  it('MHA checkpoint: the view is the model’s own attention', async () => {
    const config: ModelConfig = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } };
    const small = tensor([1, 5, 2, 9, 12, 0, 3], [1, 7], 'float64');
    const out = await evaluateReference(buildAttentionMaps(config, 1, 7, 'float64'), { ...initModel(config, 9, { dtype: 'float64' }), ids: small });
    expect(maxDiff(out[MODEL_MAPS], out[MHA_MAPS])).toBeLessThan(1e-12);
  });

  it('refuses a block the model does not have', () => {
    expect(() => buildAttentionMaps(checkpoint.config, 2, T)).toThrow(/layer must be an integer in \[0, 1\], got 2/);
  });
});
