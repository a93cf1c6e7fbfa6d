import { describe, expect, it } from 'vitest';
import {
  buildModel,
  createReferenceBackend,
  decodeCheckpoint,
  encodeCheckpoint,
  frozenParams,
  initModel,
  lrAt,
  seededRandom,
  tensor,
  Trainer,
  type AdamWOptions,
  type DType,
  type ModelConfig,
  type Tensor,
} from '@sas/core';

const config: ModelConfig = {
  vocab: 9,
  width: 8,
  layers: 1,
  heads: 2,
  maxSeqLen: 6,
  freeze: 'v',
  attention: { kind: 'sas', simHeads: 4, simHeadDim: 4, kernelSize: 3 },
};
const optimizer: AdamWOptions = { kind: 'adamw', lr: 0.01, weightDecay: 0.1, clipNorm: 0.5 };
const schedule = { lr: 0.01, warmup: 2, steps: 5, minLrRatio: 0.1 };
const [B, T] = [2, 5];

/** The batch at data position `i`: seeded ids and next-token targets, one ignored position. */
function batchAt(i: number, dtype: DType): { ids: Tensor; targets: Tensor } {
  const rand = seededRandom(100 + i);
  const tokens = Array.from({ length: B * (T + 1) }, () => Math.floor(rand() * config.vocab));
  const ids: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < B; b++) {
    ids.push(...tokens.slice(b * (T + 1), b * (T + 1) + T));
    targets.push(...tokens.slice(b * (T + 1) + 1, (b + 1) * (T + 1)));
  }
  targets[0] = -100;
  return { ids: tensor(ids, [B, T], dtype), targets: tensor(targets, [B, T], dtype) };
}

function newTrainer(dtype: DType, seed: number): Trainer {
  const graph = buildModel(config, { batch: B, seqLen: T, dtype });
  return new Trainer(createReferenceBackend(), graph, 'loss', initModel(config, seed, { dtype }), optimizer, { frozen: frozenParams(config) });
}

async function run(trainer: Trainer, from: number, to: number, dtype: DType): Promise<number[]> {
  const losses: number[] = [];
  for (let i = from; i < to; i++) losses.push(await trainer.step(batchAt(i, dtype), { lr: lrAt(trainer.stepCount, schedule) }));
  return losses;
}

const bits = (t: Tensor) => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));

describe('Trainer resume: N steps equal k steps, a checkpoint, and N − k steps, bit for bit', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype} on the reference (SAS, frozen v maps, clipping, warmup + cosine)`, async () => {
      const N = 5;
      const k = 2;
      const straight = newTrainer(dtype, 1);
      const lossesStraight = await run(straight, 0, N, dtype);

      const first = newTrainer(dtype, 1);
      const lossesFirst = await run(first, 0, k, dtype);
      const bytes = encodeCheckpoint({ config, ...first.exportState(), data: { position: k }, optimizer });

      const resumed = newTrainer(dtype, 999); // other weights: importState must replace every one
      const ckpt = decodeCheckpoint(bytes, { source: 'run.ckpt', config });
      expect(ckpt.step).toBe(k);
      expect(ckpt.data).toEqual({ position: k });
      resumed.importState(ckpt);
      expect(resumed.stepCount).toBe(k);
      const lossesResumed = await run(resumed, (ckpt.data as { position: number }).position, N, dtype);

      expect([...lossesFirst, ...lossesResumed]).toEqual(lossesStraight);
      const a = straight.exportState();
      const b = resumed.exportState();
      expect(b.step).toBe(N);
      expect(Object.keys(b.params)).toEqual(Object.keys(a.params));
      expect(Object.keys(b.moments).sort()).toEqual(Object.keys(a.moments).sort());
      for (const name of Object.keys(a.params)) {
        expect(b.params[name].dtype, name).toBe(dtype);
        expect(bits(b.params[name]), name).toEqual(bits(a.params[name]));
      }
      for (const name of Object.keys(a.moments)) expect(bits(b.moments[name]), name).toEqual(bits(a.moments[name]));
    });
  }
});
