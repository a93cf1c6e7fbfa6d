import { describe, expect, it } from 'vitest';
import {
  buildModel,
  createReferenceBackend,
  evaluateReference,
  frozenParams,
  initModel,
  leafName,
  modelParams,
  tensor,
  validateModelConfig,
  type ModelConfig,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

const SAS: ModelConfig = { vocab: 13, width: 16, layers: 2, heads: 2, maxSeqLen: 12, attention: { kind: 'sas', simHeads: 4, simHeadDim: 16, kernelSize: 3 } };
const GQA: ModelConfig = { vocab: 10, width: 16, layers: 1, heads: 4, maxSeqLen: 8, attention: { kind: 'gqa', kvHeads: 2 } };

describe('modelParams', () => {
  it("lists MODEL.md's names in order, with PyTorch layouts (a one-layer GQA model)", () => {
    const { specs, count } = modelParams(GQA);
    expect(specs.map((p) => `${p.name} [${p.shape}]`)).toEqual([
      'tok.weight [10,16]',
      'pos.weight [8,16]',
      'blocks.0.ln1.weight [16]',
      'blocks.0.ln1.bias [16]',
      'blocks.0.attn.q_proj.weight [16,16]',
      'blocks.0.attn.q_proj.bias [16]',
      'blocks.0.attn.k_proj.weight [8,16]', // kvHeads·D = 2·4
      'blocks.0.attn.k_proj.bias [8]',
      'blocks.0.attn.v_proj.weight [8,16]',
      'blocks.0.attn.v_proj.bias [8]',
      'blocks.0.attn.output_dense.weight [16,16]',
      'blocks.0.attn.output_dense.bias [16]',
      'blocks.0.ln2.weight [16]',
      'blocks.0.ln2.bias [16]',
      'blocks.0.mlp.fc.weight [64,16]',
      'blocks.0.mlp.fc.bias [64]',
      'blocks.0.mlp.proj.weight [16,64]',
      'blocks.0.mlp.proj.bias [16]',
      'ln_f.weight [16]',
      'ln_f.bias [16]',
      'head.weight [10,16]',
      'head.bias [10]',
    ]);
    // 160 + 128 + 32 + (272 + 2·136) + 272 + 32 + 1088 + 1040 + 32 + 170
    expect(count).toBe(3498);
  });

  it('puts the SAS layer params under blocks.i.attn. with the authors’ names; featureMaps: false drops the .2/.3 maps', () => {
    const names = modelParams(SAS).specs.map((p) => p.name);
    expect(names).toContain('blocks.1.attn.sas_q.3.process.bias');
    expect(names.filter((n) => n.startsWith('blocks.0.attn.sas_'))).toHaveLength(20);
    const ablated = modelParams({ ...SAS, attention: { kind: 'sas', simHeads: 4, kernelSize: 3, featureMaps: false } });
    expect(ablated.specs.filter((p) => p.name.startsWith('blocks.0.attn.sas_')).map((p) => p.name.slice(14))).toEqual([
      'sas_q.0.weight',
      'sas_q.0.bias',
      'sas_q.1.process.weight',
      'sas_q.1.process.bias',
      'sas_k.0.weight',
      'sas_k.0.bias',
      'sas_k.1.process.weight',
      'sas_k.1.process.bias',
      'sas_v.0.weight',
      'sas_v.0.bias',
      'sas_v.1.process.weight',
      'sas_v.1.process.bias',
    ]);
  });
});

describe('frozenParams', () => {
  const names = (freeze?: 'maps' | 'qk' | 'v') => frozenParams({ ...SAS, layers: 1, freeze });
  it('maps: every sas_q.*, sas_k.*, sas_v.*; qk: q and k; v: v; none without freeze', () => {
    expect(names('maps')).toHaveLength(20);
    expect(names('qk')).toHaveLength(16);
    expect(names('v')).toEqual(['sas_v.0.weight', 'sas_v.0.bias', 'sas_v.1.process.weight', 'sas_v.1.process.bias'].map((n) => `blocks.0.attn.${n}`));
    expect(names()).toEqual([]);
  });
});

describe('buildModel', () => {
  it('has inputs ids and targets with their integer domains, outputs logits [B,T,V] and a scalar loss, and exactly the params of modelParams', () => {
    const g = buildModel(SAS, { batch: 3, seqLen: 5 });
    expect(g.dtype).toBe('float32');
    expect(g.nodes[g.outputs.logits].shape).toEqual([3, 5, 13]);
    expect(g.nodes[g.outputs.loss].shape).toEqual([]);
    expect(g.nodes.filter((n) => n.op === 'Input').map((n) => n.attrs)).toEqual([
      { name: 'ids', shape: [3, 5], indexRange: 13 },
      { name: 'targets', shape: [3, 5], indexRange: 13, ignoreIndex: -100 },
    ]);
    const params = g.nodes.filter((n) => n.op === 'Param');
    const { shapes } = modelParams(SAS);
    expect(params.map(leafName).sort()).toEqual(Object.keys(shapes).sort());
    for (const p of params) expect(p.shape, leafName(p)).toEqual(shapes[leafName(p)]);
    expect(Object.keys(buildModel(SAS, { batch: 1, seqLen: 2, loss: false }).outputs)).toEqual(['logits']);
  });

  it('uses the model ops once each per place: one Gather per embedding, LayerNorms, Tanh in each MLP, one CrossEntropy', () => {
    const ops = buildModel(SAS, { batch: 1, seqLen: 4 }).nodes.map((n) => n.op);
    const count = (op: string) => ops.filter((o) => o === op).length;
    expect([count('Gather'), count('LayerNorm'), count('Tanh'), count('CrossEntropy'), count('Attention')]).toEqual([2, 5, 2, 1, 2]);
  });

  it('is causal: logits at position t do not change when later ids change', async () => {
    const config = { ...SAS, layers: 1 };
    const g = buildModel(config, { batch: 1, seqLen: 4, dtype: 'float64', loss: false });
    const params = initModel(config, 3, { dtype: 'float64' });
    const a = await evaluateReference(g, { ...params, ids: tensor([1, 2, 3, 4], [1, 4]) });
    const b = await evaluateReference(g, { ...params, ids: tensor([1, 2, 9, 0], [1, 4]) });
    expect(Array.from(a.logits.data.subarray(0, 26))).toEqual(Array.from(b.logits.data.subarray(0, 26)));
    expect(a.logits.data[2 * 13]).not.toBe(b.logits.data[2 * 13]);
  });

  it('gives a loss near ln V at init (uniform-ish predictions) and refuses ids outside the vocabulary on run', async () => {
    const g = buildModel(SAS, { batch: 2, seqLen: 6, dtype: 'float64' });
    const params = initModel(SAS, 1, { dtype: 'float64' });
    const ids = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12], [2, 6]);
    const targets = tensor([1, 2, 3, 4, 5, -100, 7, 8, 9, 10, 11, 12], [2, 6]);
    const { loss } = await evaluateReference(g, { ...params, ids, targets });
    expect(Math.abs(loss.data[0] - Math.log(13))).toBeLessThan(1.5);
    await expect(createReferenceBackend().run(g, { ...params, ids: tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13], [2, 6]), targets })).rejects.toThrow(
      "feed 'ids': position [1, 5] holds 13, expected an integer id in [0, 13)",
    );
  });

  it('refuses a bad configuration or batch shape with one E_CONFIG line naming the field', () => {
    const cases: [unknown, string][] = [
      [{ ...SAS, width: 15 }, 'config.width: expected a multiple of heads (2), got 15'],
      [{ ...SAS, vocab: 0 }, 'config.vocab: expected a positive integer, got 0'],
      [{ ...SAS, layers: 1.5 }, 'config.layers: expected a positive integer, got 1.5'],
      [{ ...GQA, attention: { kind: 'gqa', kvHeads: 3 } }, 'config.attention.kvHeads: expected a divisor of heads (4), got 3'],
      [{ ...GQA, attention: { kind: 'gqa' } }, 'config.attention.kvHeads: expected a positive integer, got undefined'],
      [{ ...SAS, attention: { kind: 'sas', simHeads: 3, simHeadDim: 8, kernelSize: 3 } }, 'config.attention.simHeads: expected a multiple of heads (2), got 3'],
      [
        { ...SAS, attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 2 } },
        'config.attention.kernelSize: expected an odd size (an even kernel changes the feature length in the reference), got 2',
      ],
      [
        { ...SAS, attention: { kind: 'sas', simHeads: 4, simHeadDim: 16, kernelSize: 3, featureMaps: false } },
        "config.attention.simHeadDim: without feature maps D' = D, so expected headDim (8), got 16",
      ],
      [{ ...SAS, attention: { kind: 'linear' } }, 'config.attention.kind: expected one of sas, mha, gqa, mqa, got "linear"'],
      [{ ...GQA, freeze: 'maps' }, 'config.freeze: only a SAS attention has maps to freeze, this one is gqa'],
      [{ ...SAS, freeze: 'all' }, `config.freeze: expected 'maps', 'qk' or 'v', got "all"`],
    ];
    for (const [config, message] of cases) {
      const e = sasError(() => buildModel(config as ModelConfig, { batch: 1, seqLen: 4 }));
      expect([e.code, e.message]).toEqual(['E_CONFIG', message]);
      expect(sasError(() => validateModelConfig(config)).message).toBe(message);
    }
    expect(sasError(() => buildModel(SAS, { batch: 1, seqLen: 13 })).message).toBe('seqLen: expected at most config.maxSeqLen (12), got 13');
    expect(sasError(() => buildModel(SAS, { batch: 0, seqLen: 4 })).message).toBe('batch: expected a positive integer, got 0');
  });
});

describe('initModel', () => {
  it('is deterministic per seed and initialises as PyTorch does: N(0,1) embeddings, LayerNorm 1/0, uniform ±1/√fan_in', () => {
    const a = initModel(SAS, 5, { dtype: 'float64' });
    const b = initModel(SAS, 5, { dtype: 'float64' });
    const c = initModel(SAS, 6, { dtype: 'float64' });
    expect(Array.from(a['blocks.1.mlp.fc.weight'].data)).toEqual(Array.from(b['blocks.1.mlp.fc.weight'].data));
    expect(Array.from(a['tok.weight'].data)).not.toEqual(Array.from(c['tok.weight'].data));
    expect(Array.from(a['blocks.0.ln1.weight'].data)).toEqual(new Array(16).fill(1));
    expect(Array.from(a['ln_f.bias'].data)).toEqual(new Array(16).fill(0));
    const within = (name: string, bound: number) => {
      const data = Array.from(a[name].data);
      expect(Math.max(...data.map(Math.abs)), name).toBeLessThanOrEqual(bound);
      expect(Math.max(...data.map(Math.abs)), name).toBeGreaterThan(bound * 0.5);
    };
    within('blocks.0.mlp.proj.weight', 1 / Math.sqrt(64));
    within('blocks.0.mlp.proj.bias', 1 / Math.sqrt(64));
    within('blocks.0.attn.sas_q.1.process.weight', 1 / Math.sqrt(4 * 3)); // conv fan_in = in_channels·k
    const big = Array.from(initModel({ ...SAS, vocab: 400 }, 2, { dtype: 'float64' })['tok.weight'].data); // 6400 draws
    const mean = big.reduce((s, v) => s + v, 0) / big.length;
    const std = Math.sqrt(big.reduce((s, v) => s + (v - mean) ** 2, 0) / big.length);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
  });

  it("identity: MODEL.md's maps (conv 1 at [c, c mod H, (k−1)/2], .2 diagonal, the rest 0), everything else as 'random' with the same seed", () => {
    const config: ModelConfig = { ...SAS, layers: 1, attention: { kind: 'sas', simHeads: 4, simHeadDim: 6, kernelSize: 3 } };
    const id = initModel(config, 9, { init: 'identity', dtype: 'float64' });
    const random = initModel(config, 9, { dtype: 'float64' });
    expect(Array.from(id['blocks.0.attn.sas_k.0.weight'].data)).toEqual([
      // [H'=4, H=2, k=3]: simulated head c copies head c mod 2 at the kernel centre
      0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
    ]);
    const d2 = Array.from(id['blocks.0.attn.sas_q.2.weight'].data); // [D'=6, D=8]
    expect(d2.filter((v) => v === 1)).toHaveLength(6);
    d2.forEach((v, i) => expect(v, `element ${i}`).toBe(Math.floor(i / 8) === i % 8 ? 1 : 0));
    for (const name of ['sas_v.1.process.weight', 'sas_q.0.bias', 'sas_q.3.process.weight', 'sas_k.2.bias'])
      expect(
        id[`blocks.0.attn.${name}`].data.every((v) => v === 0),
        name,
      ).toBe(true);
    expect(Array.from(id['blocks.0.attn.output_dense.weight'].data)).toEqual(Array.from(random['blocks.0.attn.output_dense.weight'].data));
    expect(sasError(() => initModel(GQA, 1, { init: 'identity' })).message).toBe("init: 'identity' sets the SAS maps, but this model's attention is gqa");
  });
});
