/**
 * A training run held in memory: core's `buildModel` and `Trainer` on a
 * backend, fed by the task's sampler, one `step()` at a time. Stopping is
 * not calling `step()`; resuming is calling it again: the trainer keeps its
 * params, moments and step count, the sampler its position.
 */
import { buildModel, initModel, tensor, Trainer, type Backend } from '@sas/core';
import { PAGE_OPTIMIZER, trainingSetup, type BrownSlice, type TrainingSetup, type TrainSettings } from './task.js';

/** What one step reports. */
export interface StepReport {
  /** 1-based. */
  readonly step: number;
  /** The batch's mean cross-entropy before the update. */
  readonly loss: number;
  readonly ms: number;
  /** Target positions the loss counted per second of this step. */
  readonly tokensPerSecond: number;
}

/**
 * One run of the page's training task.
 *
 * @example
 * ```ts
 * const session = new TrainingSession(createNdarrayBackend(), { task: 'mqar', attention: 'sas', seed: 1 });
 * const first = await session.step(); // { step: 1, loss: ≈ 4.3, … }
 * ```
 */
export class TrainingSession {
  private readonly setup: TrainingSetup;
  private readonly trainer: Trainer;

  constructor(
    readonly backend: Backend,
    readonly settings: TrainSettings,
    brown?: BrownSlice,
  ) {
    this.setup = trainingSetup(settings, brown);
    const { config, batch, seqLen } = this.setup;
    const graph = buildModel(config, { batch, seqLen, dtype: 'float32' });
    this.trainer = new Trainer(backend, graph, 'loss', initModel(config, settings.seed, { dtype: 'float32' }), PAGE_OPTIMIZER);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.trainer.stepCount;
  }

  /** The model's parameter count. */
  get config() {
    return this.setup.config;
  }

  /** Runs one training step on the next batch. */
  async step(): Promise<StepReport> {
    const { batch, seqLen } = this.setup;
    const b = this.setup.next();
    const t0 = performance.now();
    const loss = await this.trainer.step({ ids: tensor(b.ids, [batch, seqLen], 'float32'), targets: tensor(b.targets, [batch, seqLen], 'float32') });
    const ms = performance.now() - t0;
    return { step: this.trainer.stepCount, loss, ms, tokensPerSecond: (this.setup.targetsPerBatch * 1000) / ms };
  }
}
