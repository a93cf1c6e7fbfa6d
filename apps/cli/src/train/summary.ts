import type { Backend, ModelConfig } from '@sas/core';
import type { Outcome, RunProgress } from './loop.js';
import type { RunOptions } from './options.js';
import { compact } from './progress.js';

/**
 * The `--json` summary of a run (docs/training.md; the experiment runner
 * reads these fields, keep them stable). Losses and accuracy are the last
 * evaluation's; before any evaluation `trainLoss` is the mean loss of the
 * steps so far and `valLoss` is null.
 */
export interface RunSummary {
  readonly task: RunOptions['task'];
  readonly attention: RunOptions['attention'];
  readonly model: ModelConfig;
  readonly params: number;
  readonly trainableParams: number;
  /** Steps done, and the run's total. */
  readonly steps: number;
  readonly totalSteps: number;
  /** 'done' (all steps), 'until' (stopped at --until) or 'interrupted' (a signal). */
  readonly outcome: Outcome;
  readonly trainLoss: number | null;
  readonly valLoss: number | null;
  readonly accuracy?: number | null;
  /** Training tokens per second of step time, over every session of the run. */
  readonly tokensPerSecond: number | null;
  /** Seconds of training and evaluation, over every session of the run. */
  readonly wallSeconds: number;
  readonly backend: string;
  readonly mode: string;
  /** Absolute path of the checkpoint, when one was written. */
  readonly checkpoint?: string;
  /** Every run option (the flags that define the run, defaults written out). */
  readonly options: RunOptions;
}

export function runSummary(s: {
  run: RunOptions;
  config: ModelConfig;
  params: { all: number; trainable: number };
  progress: RunProgress;
  outcome: Outcome;
  backend: Backend;
  checkpoint: string | undefined;
}): RunSummary {
  const { run, progress: p } = s;
  const last = p.last;
  const current = last !== null && last.step === p.step;
  const trainLoss = current ? last.trainLoss : p.lossCount > 0 ? p.lossSum / p.lossCount : (last?.trainLoss ?? null);
  return {
    task: run.task,
    attention: run.attention,
    model: s.config,
    params: s.params.all,
    trainableParams: s.params.trainable,
    steps: p.step,
    totalSteps: run.steps,
    outcome: s.outcome,
    trainLoss,
    valLoss: last?.valLoss ?? null,
    ...(run.task === 'mqar' ? { accuracy: last?.accuracy ?? null } : {}),
    tokensPerSecond: p.trainSeconds > 0 ? p.tokens / p.trainSeconds : null,
    wallSeconds: p.wallSeconds,
    backend: s.backend.name,
    mode: s.backend.mode,
    ...(s.checkpoint === undefined ? {} : { checkpoint: s.checkpoint }),
    options: run,
  };
}

/** The summary as a few lines for people. */
export function formatSummary(s: RunSummary): string {
  const what = `${s.attention} on ${s.task}, ${compact(s.params)} params${s.trainableParams !== s.params ? ` (${compact(s.trainableParams)} trained)` : ''}`;
  const state = s.outcome === 'done' ? `${s.steps} steps` : `stopped at step ${s.steps}/${s.totalSteps} (${s.outcome})`;
  const scores = [
    s.trainLoss === null ? '' : `train loss ${s.trainLoss.toFixed(4)}`,
    s.valLoss === null ? '' : `validation loss ${s.valLoss.toFixed(4)}`,
    s.accuracy == null ? '' : `recall accuracy ${(s.accuracy * 100).toFixed(1)}%`,
  ].filter(Boolean);
  const speed = `${s.tokensPerSecond === null ? '-' : compact(s.tokensPerSecond)} tokens/s, ${s.wallSeconds.toFixed(1)} s on ${s.backend} (${s.mode})`;
  return [`${what}: ${state}`, scores.join(', '), speed, ...(s.checkpoint ? [`checkpoint ${s.checkpoint}`] : [])].filter(Boolean).join('\n');
}
