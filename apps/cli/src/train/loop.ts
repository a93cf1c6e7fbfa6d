import { SasError } from '@sas/core';
import type { TokenBatch } from '@sas/data';
import type { TaskData } from './data.js';
import type { RunOptions } from './options.js';
import type { Evaluation, Progress } from './progress.js';

/** What the loop needs of the model: one training step, and a forward pass for evaluation. */
export interface TrainableModel {
  /** One optimiser step at learning rate `lr`; resolves to the batch's loss before the update. */
  step(batch: TokenBatch, lr: number): Promise<number>;
  /** Forward only: the batch's mean loss over counted targets, their count, and (with `accuracy`) the recall score. */
  evaluate(batch: TokenBatch, accuracy: boolean): Promise<{ loss: number; counted: number; correct?: number; asked?: number }>;
}

/**
 * Where a run stands, beside params and optimiser state: saved in every
 * checkpoint, so a resumed run's log, clocks and averages continue as if it
 * had never stopped.
 */
export interface RunProgress {
  /** Steps done. */
  readonly step: number;
  /** Training tokens seen (batch × seqLen per step). */
  readonly tokens: number;
  /** Seconds spent in training steps and evaluations, over every session of the run. */
  readonly wallSeconds: number;
  /** Seconds spent in training steps alone (tokens per second = tokens / trainSeconds). */
  readonly trainSeconds: number;
  /** Sum and count of the training losses since the last evaluation (their mean is the next log line's trainLoss). */
  readonly lossSum: number;
  readonly lossCount: number;
  /** The last evaluation, if any. */
  readonly last: Evaluation | null;
}

export const FRESH_PROGRESS: RunProgress = { step: 0, tokens: 0, wallSeconds: 0, trainSeconds: 0, lossSum: 0, lossCount: 0, last: null };

/** Why the loop returned. */
export type Outcome = 'done' | 'until' | 'interrupted';

export interface LoopContext {
  readonly run: RunOptions;
  readonly data: TaskData;
  readonly model: TrainableModel;
  /** Learning rate of step `step` (1-based). */
  readonly lrAt: (step: number) => number;
  readonly progress: Progress;
  /** Appends an evaluation to the --log file. */
  readonly log?: (e: Evaluation) => void;
  /** Writes a checkpoint of the run as it stands. */
  readonly save?: (p: RunProgress) => void;
  /** Last step to run in this session (--until, or --steps). */
  readonly stopAt: number;
  /** True once the user asked to stop (Ctrl-C): the loop ends after the current step. */
  readonly stopRequested: () => boolean;
}

/** Evaluates on the fixed evaluation set: mean loss over every counted target, and recall accuracy where the task has it. */
async function evaluate(ctx: LoopContext): Promise<{ valLoss: number; accuracy?: number }> {
  let lossSum = 0;
  let counted = 0;
  let correct = 0;
  let asked = 0;
  for (const batch of ctx.data.evaluation) {
    const r = await ctx.model.evaluate(batch, ctx.data.accuracy);
    lossSum += r.loss * r.counted;
    counted += r.counted;
    correct += r.correct ?? 0;
    asked += r.asked ?? 0;
  }
  return { valLoss: lossSum / counted, ...(ctx.data.accuracy ? { accuracy: correct / asked } : {}) };
}

/**
 * Trains from `start` to `ctx.stopAt`: a batch from the task's stream, one
 * step at the schedule's learning rate, and every `evalEvery` steps (and at
 * the last) an evaluation that is logged and then checkpointed, in that
 * order, so a checkpoint never runs ahead of its log. Stopping early (Ctrl-C,
 * --until) checkpoints without evaluating, so a resumed run logs exactly the
 * evaluations an uninterrupted one does.
 */
export async function trainLoop(ctx: LoopContext, start: RunProgress): Promise<{ outcome: Outcome; progress: RunProgress }> {
  const { run } = ctx;
  const tokensPerStep = run.batch * run.seqLen;
  let p: RunProgress = start;
  const sessionStart = performance.now();
  const wallAtStart = start.wallSeconds;
  let sessionTrainSeconds = 0;
  const wall = () => wallAtStart + (performance.now() - sessionStart) / 1000;
  while (p.step < ctx.stopAt) {
    const step = p.step + 1;
    const lr = ctx.lrAt(step);
    const t0 = performance.now();
    const loss = await ctx.model.step(ctx.data.next(), lr);
    if (!Number.isFinite(loss))
      throw new SasError(
        'E_INPUT',
        `step ${step}: the training loss is ${loss}: training diverged (try a lower --lr or a --clip); the last checkpoint written, if any, is intact`,
      );
    const seconds = (performance.now() - t0) / 1000;
    sessionTrainSeconds += seconds;
    p = {
      ...p,
      step,
      tokens: p.tokens + tokensPerStep,
      trainSeconds: p.trainSeconds + seconds,
      wallSeconds: wall(),
      lossSum: p.lossSum + loss,
      lossCount: p.lossCount + 1,
    };
    const sessionSteps = step - start.step;
    ctx.progress.step(step, loss, (sessionSteps * tokensPerStep) / sessionTrainSeconds, (wall() - wallAtStart) / sessionSteps);
    if (step % run.evalEvery === 0 || step === run.steps) {
      const scores = await evaluate(ctx);
      const e: Evaluation = { step, tokens: p.tokens, wallSeconds: wall(), lr, trainLoss: p.lossSum / p.lossCount, ...scores };
      p = { ...p, wallSeconds: e.wallSeconds, lossSum: 0, lossCount: 0, last: e };
      ctx.log?.(e);
      ctx.progress.evaluation(e);
      ctx.save?.(p);
    }
    // Backends may finish a step without ever leaving the microtask queue; signals (Ctrl-C) are only
    // delivered when the event loop turns, so let it turn once per step.
    await new Promise((next) => setImmediate(next));
    if (ctx.stopRequested()) {
      if (p.last?.step !== step) ctx.save?.(p);
      return { outcome: 'interrupted', progress: p };
    }
  }
  if (p.step === run.steps) return { outcome: 'done', progress: p };
  if (p.last?.step !== p.step) ctx.save?.(p);
  return { outcome: 'until', progress: p };
}
