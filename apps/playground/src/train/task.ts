/**
 * What the page trains: MODEL.md's char GPT at a browser-friendly size on
 * one of two tasks, with their data from @sas/data's browser-safe entry.
 *
 * - `mqar`: multi-query associative recall (8 key-value pairs, 32 keys, 32
 *   values: vocabulary 64, sequences of 24), drawn on the fly by
 *   `MqarSampler`; the loss counts the 8 query positions.
 * - `brown`: next character on a slice of the Brown corpus (the first 256 Ki
 *   characters of its training text, cut at build time and served as
 *   `data/brown-slice.json`), windows of 64 drawn by `TextWindowSampler`,
 *   the corpus' 84-character vocabulary (the bundled checkpoint's).
 *
 * Both: width 64, 2 blocks, 4 heads; SAS with H' = 8, D' = 32, k = 3 (the
 * bundled checkpoint's attention) or MHA; AdamW as `sas train` (weight decay
 * 0.01, clipping at 1), a constant learning rate.
 */
import type { AdamWOptions, ModelConfig } from '@sas/core';
import { CharVocab, MqarSampler, mqarSeqLen, mqarVocabSize, TextWindowSampler, type MqarConfig, type TokenBatch } from '@sas/data';

export type TrainTask = 'mqar' | 'brown';
export type TrainAttention = 'sas' | 'mha';

/** What the user picks. */
export interface TrainSettings {
  readonly task: TrainTask;
  readonly attention: TrainAttention;
  /** Seeds the weights and the data stream. */
  readonly seed: number;
}

/** The text the `brown` task trains on (data/brown-slice.json). */
export interface BrownSlice {
  readonly source: string;
  /** The corpus' characters in id order. */
  readonly vocab: string;
  readonly train: string;
  readonly validation: string;
}

/** The MQAR task of the page. */
export const PAGE_MQAR: MqarConfig = { pairs: 8, keys: 32, values: 32 };

/** Windows of the brown task. */
export const BROWN_SEQ_LEN = 64;

/** Sequences per batch. */
export const TRAIN_BATCH = 8;

/** The optimiser: `sas train`'s AdamW (weight decay 0.01, global-norm clipping at 1) at a constant learning rate. */
export const PAGE_OPTIMIZER: AdamWOptions = { kind: 'adamw', lr: 3e-3, weightDecay: 0.01, clipNorm: 1 };

/** A task ready to train: the model's config and its batches. */
export interface TrainingSetup {
  readonly config: ModelConfig;
  readonly batch: number;
  readonly seqLen: number;
  next(): TokenBatch;
  /** Positions the loss counts per batch (tokens/s counts these). */
  readonly targetsPerBatch: number;
}

/**
 * The model and data of `settings` (the brown task needs its slice).
 *
 * @example
 * ```ts
 * const setup = trainingSetup({ task: 'mqar', attention: 'sas', seed: 1 });
 * setup.config.vocab; // 64
 * setup.next().ids.length; // 8 × 24
 * ```
 */
export function trainingSetup(settings: TrainSettings, brown?: BrownSlice): TrainingSetup {
  const attention = settings.attention === 'sas' ? ({ kind: 'sas', simHeads: 8, simHeadDim: 32, kernelSize: 3 } as const) : ({ kind: 'mha' } as const);
  // The data stream's seed differs from the weights' (both are mulberry32 streams), as in `sas train`.
  const dataSeed = (settings.seed ^ 0x9e3779b9) >>> 0;
  if (settings.task === 'mqar') {
    const seqLen = mqarSeqLen(PAGE_MQAR);
    const sampler = new MqarSampler(PAGE_MQAR, TRAIN_BATCH, dataSeed);
    return {
      config: { vocab: mqarVocabSize(PAGE_MQAR), width: 64, layers: 2, heads: 4, maxSeqLen: seqLen, attention },
      batch: TRAIN_BATCH,
      seqLen,
      next: () => sampler.next(),
      targetsPerBatch: TRAIN_BATCH * PAGE_MQAR.pairs,
    };
  }
  if (!brown) throw new Error('the brown task needs its text slice (data/brown-slice.json)');
  const vocab = new CharVocab([...brown.vocab]);
  const sampler = new TextWindowSampler(vocab.encode(brown.train), { batch: TRAIN_BATCH, seqLen: BROWN_SEQ_LEN }, dataSeed);
  return {
    config: { vocab: vocab.size, width: 64, layers: 2, heads: 4, maxSeqLen: BROWN_SEQ_LEN, attention },
    batch: TRAIN_BATCH,
    seqLen: BROWN_SEQ_LEN,
    next: () => sampler.next(),
    targetsPerBatch: TRAIN_BATCH * BROWN_SEQ_LEN,
  };
}
