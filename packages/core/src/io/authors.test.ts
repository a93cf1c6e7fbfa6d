import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { initParams, layerParams, loadAuthorsWeights, parseSafetensors, saveAuthorsWeights, SasError, type SASConfig } from '@sas/core';

const file = new URL('../../../conformance/fixtures/sas-tiny.safetensors', import.meta.url);
const tiny: SASConfig = { kind: 'sas', batch: 1, seqLen: 4, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true };

describe("the authors' weights", () => {
  it('loads every parameter of a fixture by its state_dict name', () => {
    const weights = loadAuthorsWeights(readFileSync(file), tiny, 'sas-tiny.safetensors');
    expect(Object.keys(weights)).toEqual(layerParams(tiny).map((p) => p.name));
    const direct = parseSafetensors(readFileSync(file)).tensors.get('sas_k.3.process.weight')!;
    expect(weights['sas_k.3.process.weight'].data).toEqual(direct.data);
  });

  it('names the file and the tensor when a shape disagrees with the config', () => {
    const wrong = { ...tiny, simHeads: 6 };
    expect(() => loadAuthorsWeights(readFileSync(file), wrong, 'sas-tiny.safetensors')).toThrow(SasError);
    expect(() => loadAuthorsWeights(readFileSync(file), wrong, 'sas-tiny.safetensors')).toThrow(
      /^sas-tiny\.safetensors: tensor 'sas_q\.0\.weight' has shape \[4,2,3\], expected \[6,2,3\]$/,
    );
  });

  it('reads a Node Buffer (a view into a shared pool) as its own bytes', () => {
    const small = saveAuthorsWeights(initParams({ kind: 'mha', batch: 1, seqLen: 1, heads: 1, headDim: 1, kvHeads: 1, causal: true }, 3), {
      kind: 'mha',
      batch: 1,
      seqLen: 1,
      heads: 1,
      headDim: 1,
      kvHeads: 1,
      causal: true,
    });
    const pooled = Buffer.from(small); // small Buffers share Node's 8 KiB pool
    const back = parseSafetensors(pooled).tensors.get('output_dense.weight')!;
    expect(back.data.length).toBe(1);
    expect(back.data[0]).toBe(parseSafetensors(new Uint8Array(small)).tensors.get('output_dense.weight')!.data[0]);
  });

  it('writes weights that read back bit-exactly', () => {
    const weights = initParams(tiny, 11, 'float32');
    const back = loadAuthorsWeights(saveAuthorsWeights(weights, tiny), tiny);
    for (const [name, t] of Object.entries(weights)) expect(back[name].data).toEqual(t.data);
  });

  it('refuses to write a set missing a parameter', () => {
    const weights = initParams(tiny, 11);
    delete weights['output_dense.bias'];
    expect(() => saveAuthorsWeights(weights, tiny)).toThrow(/missing tensor 'output_dense\.bias'/);
  });
});
