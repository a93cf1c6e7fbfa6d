// Storage recycled between runs: a run's intermediates come back for the
// next run, zero-filled; what a run returned to its caller never does; and
// numbers do not change whether storage is fresh or recycled.
import { describe, expect, it } from 'vitest';
import { buildModel, frozenParams, initModel, randomNormal, Trainer, type ModelConfig } from '@sas/core';
import { createNdarrayBackend } from './index.js';
import { StoragePool } from './storage-pool.js';

describe('StoragePool', () => {
  it('hands back what a finished run dropped, zero-filled, by dtype, kind and length, and keeps what the run returned', () => {
    const pool = new StoragePool(1 << 20);
    const a = pool.take('float32:local', 8, () => new Float32Array(8));
    const b = pool.take('float32:local', 8, () => new Float32Array(8));
    const c = pool.take('float64:local', 8, () => new Float64Array(8));
    a.fill(3);
    pool.finish((d) => d === b);
    expect(pool.heldBytes).toBe(32 + 64);
    const again = pool.take('float32:local', 8, () => new Float32Array(8));
    expect(again).toBe(a);
    expect([...again]).toEqual(new Array(8).fill(0));
    expect(pool.take('float32:local', 8, () => new Float32Array(8))).not.toBe(b);
    expect(pool.take('float64:local', 8, () => new Float64Array(8))).toBe(c);
    expect(pool.take('float32:local', 4, () => new Float32Array(4))).not.toBe(a);
  });

  it('skips the zeroing when the caller overwrites every value (the recycled array comes back as it was)', () => {
    const pool = new StoragePool(1 << 20);
    const a = pool.take('float32:local', 4, () => new Float32Array(4));
    a.fill(5);
    pool.finish(() => false);
    const again = pool.take('float32:local', 4, () => new Float32Array(4), true);
    expect(again).toBe(a);
    expect([...again]).toEqual([5, 5, 5, 5]);
  });

  it('keeps at most maxBytes between runs', () => {
    const pool = new StoragePool(100);
    for (let i = 0; i < 4; i++) pool.take('float32:local', 10, () => new Float32Array(10));
    pool.finish(() => false);
    expect(pool.heldBytes).toBe(80);
  });
});

describe('the ndarray backend with recycled storage', () => {
  const config: ModelConfig = {
    vocab: 13,
    width: 16,
    layers: 1,
    heads: 2,
    maxSeqLen: 8,
    attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 3 },
  };
  const ids = (seed: number) => {
    const t = randomNormal([2, 8], seed);
    for (let i = 0; i < t.data.length; i++) t.data[i] = Math.floor(Math.abs(t.data[i]) * 100) % 13;
    return t;
  };

  it('trains bit for bit as with fresh storage, and never reuses what a step returned', async () => {
    const losses: number[][] = [];
    const params: Float32Array[][] = [];
    for (const reuseStorage of [0, 1 << 26]) {
      const trainer = new Trainer(
        createNdarrayBackend({ reuseStorage }),
        buildModel(config, { batch: 2, seqLen: 8 }),
        'loss',
        initModel(config, 3),
        {
          kind: 'adamw',
          lr: 0.01,
          clipNorm: 1,
        },
        { frozen: frozenParams(config) },
      );
      const run: number[] = [];
      const kept: Float32Array[] = [];
      const copies: Float32Array[] = [];
      for (let step = 0; step < 4; step++) {
        run.push(await trainer.step({ ids: ids(step), targets: ids(step + 10) }));
        // The params of every step, as the caller holds them, and copies taken now: later steps must not write into them.
        const now = Object.values(trainer.params).map((t) => t.data as Float32Array);
        kept.push(...now);
        copies.push(...now.map((d) => d.slice()));
      }
      losses.push(run);
      params.push(copies);
      expect(kept.map((d) => [...d])).toEqual(copies.map((d) => [...d]));
    }
    expect(losses[1]).toEqual(losses[0]);
    expect(params[1].map((d) => [...d])).toEqual(params[0].map((d) => [...d]));
  });

  it('gives each of several concurrent runs its own storage', async () => {
    const graph = buildModel(config, { batch: 2, seqLen: 8, loss: false });
    const weights = initModel(config, 5);
    const backend = createNdarrayBackend();
    const alone = await Promise.all(
      [1, 2, 3].map(async (s) => (await createNdarrayBackend({ reuseStorage: 0 }).run(graph, { ...weights, ids: ids(s) })).logits),
    );
    for (let round = 0; round < 2; round++) {
      const together = await Promise.all([1, 2, 3].map((s) => backend.run(graph, { ...weights, ids: ids(s) })));
      together.forEach((r, k) => expect([...r.logits.data]).toEqual([...alone[k].data]));
    }
    expect(backend.liveHandles()).toBe(0);
  });

  it('refuses a negative or fractional byte count', () => {
    expect(() => createNdarrayBackend({ reuseStorage: -1 })).toThrow(/option reuseStorage must be a whole number of bytes ≥ 0, got -1/);
  });
});
