// The decoding graphs and the host cache, on the float64 reference. (Cached
// decoding against the full forward pass for whole models, on every backend:
// @sas/conformance's describeGeneration.)
import { describe, expect, it } from 'vitest';
import {
  buildDecodeStep,
  buildLayer,
  buildLayerDecodeStep,
  buildLayerPrefill,
  buildModel,
  buildPrefill,
  cacheCapacity,
  createReferenceBackend,
  Decoder,
  evaluateReference,
  initModel,
  initParams,
  KeyValueCache,
  layerCacheRow,
  randomNormal,
  tensor,
  type Backend,
  type LayerConfig,
  type ModelConfig,
  type Tensor,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

const SAS: ModelConfig = { vocab: 11, width: 16, layers: 2, heads: 4, maxSeqLen: 128, attention: { kind: 'sas', simHeads: 8, simHeadDim: 12, kernelSize: 3 } };

const LAYERS: Record<string, LayerConfig> = {
  sas: { kind: 'sas', batch: 1, seqLen: 20, heads: 2, headDim: 4, simHeads: 6, simHeadDim: 5, kernelSize: 3, causal: true },
  'sas, no feature maps': {
    kind: 'sas',
    batch: 1,
    seqLen: 20,
    heads: 2,
    headDim: 4,
    simHeads: 4,
    simHeadDim: 4,
    kernelSize: 1,
    causal: true,
    featureMaps: false,
  },
  mha: { kind: 'mha', batch: 1, seqLen: 20, heads: 3, headDim: 4, kvHeads: 3, causal: true },
  gqa: { kind: 'gqa', batch: 1, seqLen: 20, heads: 4, headDim: 3, kvHeads: 2, causal: true },
  mqa: { kind: 'mqa', batch: 1, seqLen: 20, heads: 4, headDim: 3, kvHeads: 1, causal: true },
};

/** Rows [from, to) of a [1, T, ...] tensor as a [1, to − from, ...] tensor. */
function rows(t: Tensor, from: number, to: number): Tensor {
  const row = t.data.length / t.shape[1];
  return { dtype: t.dtype, shape: [1, to - from, ...t.shape.slice(2)], data: t.data.slice(from * row, to * row) };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

describe('decoding graphs', () => {
  it("the prefill's logits are buildModel's, bit for bit", async () => {
    const params = initModel(SAS, 3, { dtype: 'float64' });
    const ids = tensor([1, 4, 2, 9, 0, 3, 3], [1, 7]);
    const full = await evaluateReference(buildModel(SAS, { batch: 1, seqLen: 7, dtype: 'float64', loss: false }), { ...params, ids });
    const prefill = await evaluateReference(buildPrefill(SAS, { batch: 1, seqLen: 7, dtype: 'float64' }), { ...params, ids });
    expect(Array.from(prefill.logits.data)).toEqual(Array.from(full.logits.data));
    expect(prefill['new.1.key'].shape).toEqual([1, 8, 7, 12]); // SAS caches the simulated keys [H', T, D']
    expect(prefill['new.1.value'].shape).toEqual([1, 8, 7, 4]); // and values [H', T, D]
  });

  for (const [kind, config] of Object.entries(LAYERS)) {
    it(`a layer's cached steps equal the full layer at every position (${kind}, float64, 1e-12)`, async () => {
      const t = config.seqLen;
      const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
      const params = initParams(config, 2, 'float64');
      const query = randomNormal([1, t, config.heads, config.headDim], 3, 'float64');
      const key = randomNormal([1, t, kv, config.headDim], 4, 'float64');
      const value = randomNormal([1, t, kv, config.headDim], 5, 'float64');
      const full = await evaluateReference(buildLayer(config, { dtype: 'float64' }), { ...params, query, key, value });
      const p = 3;
      const prompt = { ...config, seqLen: p };
      const first = await evaluateReference(buildLayerPrefill(prompt, { dtype: 'float64' }), {
        ...params,
        query: rows(query, 0, p),
        key: rows(key, 0, p),
        value: rows(value, 0, p),
      });
      expect(maxAbsDiff(first.output.data, rows(full.output, 0, p).data)).toBeLessThan(1e-12);
      const row = layerCacheRow(config);
      const cache = new KeyValueCache({ layers: 1, row, dtype: 'float64' });
      cache.reserve(cacheCapacity(p, t, 4));
      cache.write(0, first['new.key'], first['new.value']);
      cache.advance(p);
      for (let i = p; i < t; i++) {
        const capacity = cacheCapacity(i + 1, t, 4);
        cache.reserve(capacity);
        const { 'cache.0.key': cacheKey, 'cache.0.value': cacheValue } = cache.feeds();
        const out = await evaluateReference(buildLayerDecodeStep(config, { capacity, dtype: 'float64' }), {
          ...params,
          query: rows(query, i, i + 1),
          key: rows(key, i, i + 1),
          value: rows(value, i, i + 1),
          position: tensor([i], [1]),
          'cache.key': cacheKey,
          'cache.value': cacheValue,
        });
        expect(maxAbsDiff(out.output.data, rows(full.output, i, i + 1).data), `position ${i}, capacity ${capacity}`).toBeLessThan(1e-12);
        cache.write(0, out['new.key'], out['new.value']);
        cache.advance(1);
      }
      expect(cache.capacity).toBe(20); // 4 → 8 → 16 → 20 (= T, the cap)
    });
  }

  it("a step graph's work does not depend on the prefix: the same nodes at every capacity, nothing computed larger than one score per head and slot", () => {
    const [small, large] = [32, 128].map((capacity) => buildDecodeStep(SAS, { batch: 1, capacity, dtype: 'float64' }));
    expect(large.nodes.map((n) => n.op)).toEqual(small.nodes.map((n) => n.op));
    for (const [graph, capacity] of [
      [small, 32],
      [large, 128],
    ] as const) {
      const size = (n: (typeof graph.nodes)[number]) => n.shape.reduce((a, b) => a * b, 1);
      // Leaves aside (the cache inputs are C·H'·D'), and views of them (Reshape), the largest value is the scores [1, H', 1, C].
      const computed = graph.nodes.filter((n) => !['Input', 'Param', 'Constant', 'Reshape'].includes(n.op));
      expect(Math.max(...computed.map(size))).toBe(8 * capacity);
      const cacheInputs = graph.nodes.filter((n) => n.op === 'Input' && String(n.attrs.name).startsWith('cache.'));
      expect(cacheInputs.map((n) => n.shape)).toEqual([
        [1, 8, capacity, 12],
        [1, 8, capacity, 4],
        [1, 8, capacity, 12],
        [1, 8, capacity, 4],
      ]);
    }
  });
});

describe('KeyValueCache', () => {
  it('keeps its rows when it grows, per batch row and head, and refuses rows that do not fit', () => {
    const cache = new KeyValueCache({ layers: 1, row: { heads: 2, keyDim: 2, valueDim: 1 }, dtype: 'float64', batch: 2 });
    cache.reserve(2);
    // [B=2, heads=2, n=2, 2]: batch b, head h, token t, feature f holds 1000b + 100h + 10t + f
    const keys = tensor([0, 1, 10, 11, 100, 101, 110, 111, 1000, 1001, 1010, 1011, 1100, 1101, 1110, 1111], [2, 2, 2, 2]);
    cache.write(0, keys, tensor([0, 10, 100, 110, 1000, 1010, 1100, 1110], [2, 2, 2, 1]));
    cache.advance(2);
    cache.reserve(3);
    const feeds = cache.feeds();
    expect(feeds['cache.0.key'].shape).toEqual([2, 2, 3, 2]);
    expect(Array.from(feeds['cache.0.key'].data)).toEqual([
      0, 1, 10, 11, 0, 0, 100, 101, 110, 111, 0, 0, 1000, 1001, 1010, 1011, 0, 0, 1100, 1101, 1110, 1111, 0, 0,
    ]);
    expect(Array.from(feeds['cache.0.value'].data)).toEqual([0, 10, 0, 100, 110, 0, 1000, 1010, 0, 1100, 1110, 0]);
    const row = tensor([2, 3, 102, 103, 1002, 1003, 1102, 1103], [2, 2, 1, 2]);
    cache.write(0, row, tensor([20, 120, 1020, 1120], [2, 2, 1, 1]));
    cache.advance(1);
    expect(Array.from(cache.feeds()['cache.0.key'].data).slice(0, 6)).toEqual([0, 1, 10, 11, 2, 3]);
    const tooMany = sasError(() => cache.write(0, row, tensor([0, 0, 0, 0], [2, 2, 1, 1])));
    expect(tooMany.message).toBe('cache: 1 more row does not fit (3 of 3 slots used; reserve first)');
    expect(sasError(() => cache.write(0, tensor([0, 0], [1, 1, 1, 2]), tensor([0], [1, 1, 1, 1]))).message).toBe(
      'cache block 0 keys: expected shape [2,2,1,2], got [1,1,1,2]',
    );
  });

  it('capacity buckets: powers of two from 16, capped at maxSeqLen', () => {
    expect([1, 16, 17, 28, 33, 64, 65, 100].map((n) => cacheCapacity(n, 100))).toEqual([16, 16, 32, 32, 64, 64, 100, 100]);
    expect(cacheCapacity(5, 2048, 1)).toBe(8);
    expect(sasError(() => cacheCapacity(129, 128)).message).toBe("cache length: expected an integer in [1, 128] (the model's maxSeqLen), got 129");
  });
});

describe('Decoder', () => {
  /** A backend that counts runs and the largest capacity it was fed. */
  function counting(): Backend & { runs: number } {
    const inner = createReferenceBackend();
    const wrapped = {
      ...inner,
      runs: 0,
      run: (g: Parameters<Backend['run']>[0], f: Parameters<Backend['run']>[1], o?: Parameters<Backend['run']>[2]) => (wrapped.runs++, inner.run(g, f, o)),
    };
    return wrapped;
  }

  it('prefills in one run and then runs once per token, moving to a larger capacity only at a power of two', async () => {
    const config: ModelConfig = { ...SAS, maxSeqLen: 40 };
    const backend = counting();
    const decoder = new Decoder({ config, params: initModel(config, 1) }, { backend, dtype: 'float64' });
    await decoder.prefill([1, 2, 3, 4, 5]);
    expect([backend.runs, decoder.length, decoder.capacity]).toEqual([1, 5, 16]);
    const seen: number[] = [];
    for (let i = 5; i < 40; i++) {
      await decoder.step(i % 11);
      seen.push(decoder.capacity);
    }
    expect(backend.runs).toBe(36);
    expect(seen.indexOf(32)).toBe(11); // position 16 (the 17th token) is the first past 16 slots
    expect(seen.at(-1)).toBe(40);
  });

  it('refuses what it cannot decode, in one line each', async () => {
    const config: ModelConfig = { ...SAS, maxSeqLen: 6 };
    const params = initModel(config, 1);
    const decoder = new Decoder({ config, params }, { backend: createReferenceBackend() });
    await expect(decoder.step(1)).rejects.toThrow('step: prefill a prompt first (the cache is empty)');
    await expect(decoder.prefill([])).rejects.toThrow('prefill: expected at least one token id, got none');
    await expect(decoder.prefill([1, 2, 3, 4, 5, 6, 7])).rejects.toThrow(
      "prefill: 7 tokens exceed the model's maxSeqLen (6): it has no position embedding beyond",
    );
    await decoder.prefill([1, 2, 3, 4, 5]);
    await expect(decoder.step(11)).rejects.toThrow('step: token id must be an integer in [0, 11), got 11');
    await decoder.step(1);
    await expect(decoder.step(1)).rejects.toThrow("step: position 6 is past the model's maxSeqLen (6): it has no position embedding there");
    const bad = { ...params, 'ln_f.bias': tensor([Number.NaN, ...new Array(15).fill(0)], [16], 'float32') };
    expect(sasError(() => new Decoder({ config, params: bad }, { backend: createReferenceBackend() })).message).toBe(
      "params: tensor 'ln_f.bias' element 0 is NaN (a model to decode needs finite weights)",
    );
    const f32only = { ...createReferenceBackend(), dtypes: ['float32'] as const };
    expect(sasError(() => new Decoder({ config, params }, { backend: f32only, dtype: 'float64' })).message).toBe(
      "backend 'reference' (float64) runs float32 graphs, not float64",
    );
  });
});
