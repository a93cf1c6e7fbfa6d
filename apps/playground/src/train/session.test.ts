import { createReferenceBackend } from '@sas/core';
import { createNdarrayBackend } from '@sas/backend-ndarray';
import { describe, expect, it } from 'vitest';
import { TrainingSession } from './session.js';
import { trainingSetup, type BrownSlice } from './task.js';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('the page training session (Node, ndarray: the backend of the training worker)', () => {
  it('mqar with SAS: 20 steps lower the loss (mean of the last 5 below the first 5)', { timeout: 120_000 }, async () => {
    const backend = createNdarrayBackend({ threads: 1 });
    const session = new TrainingSession(backend, { task: 'mqar', attention: 'sas', seed: 1 });
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) losses.push((await session.step()).loss);
    await backend.dispose();
    expect(session.steps).toBe(20);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
  });

  it('stopping and resuming is the same run as not stopping (same losses, bit for bit)', { timeout: 120_000 }, async () => {
    const backend = createNdarrayBackend({ threads: 1 });
    const run = async (pauseAfter: number | undefined) => {
      const session = new TrainingSession(backend, { task: 'mqar', attention: 'mha', seed: 3 });
      const losses: number[] = [];
      for (let i = 0; i < 4; i++) {
        losses.push((await session.step()).loss);
        // A pause is only time passing between steps: nothing of the session changes.
        if (i + 1 === pauseAfter) await new Promise((ok) => setTimeout(ok, 20));
      }
      return losses;
    };
    const straight = await run(undefined);
    const paused = await run(2);
    await backend.dispose();
    expect(paused).toEqual(straight);
  });

  it('brown: the slice trains with the corpus vocabulary; windows hold only its ids', async () => {
    const train = 'the brown corpus has words and sentences. '.repeat(8);
    const brown: BrownSlice = { source: 'test', vocab: [...new Set(train)].sort().join(''), train, validation: 'words.' };
    const setup = trainingSetup({ task: 'brown', attention: 'sas', seed: 2 }, brown);
    expect(setup.config.vocab).toBe(brown.vocab.length);
    const batch = setup.next();
    expect(batch.ids.length).toBe(setup.batch * setup.seqLen);
    expect(Math.max(...batch.ids)).toBeLessThan(brown.vocab.length);
    // Each target is the next character's id.
    expect(batch.targets[0]).toBe(batch.ids[1]);
    // The first step runs on the reference backend too (float32 graph, float64 oracle not needed here): a finite loss near ln(vocab).
    const session = new TrainingSession(createReferenceBackend(), { task: 'brown', attention: 'mha', seed: 2 }, brown);
    const { loss } = await session.step();
    expect(loss).toBeGreaterThan(Math.log(brown.vocab.length) - 1);
    expect(loss).toBeLessThan(Math.log(brown.vocab.length) + 3);
  });

  it('the brown task without its slice is a clear error', () => {
    expect(() => trainingSetup({ task: 'brown', attention: 'sas', seed: 1 })).toThrow(/brown task needs its text slice/);
  });
});
