import { SasError } from '@sas/core';
import { evaluationWindows, MqarSampler, mqarEvaluationSet, mqarVocabSize, splitBatch, type StreamState, TextWindowSampler, type TokenBatch } from '@sas/data';
import { loadBrownCorpus } from '@sas/data/brown';
import type { RunOptions } from './options.js';

/** A task's data for one run: its vocabulary, the training batches and a fixed evaluation set. */
export interface TaskData {
  /** Model vocabulary size. */
  readonly vocab: number;
  /** The characters of a text task (index → character), stored in checkpoints. */
  readonly chars: readonly string[] | null;
  /** The next training batch. */
  next(): TokenBatch;
  /** Where the training stream stands (goes into checkpoints). */
  readonly state: StreamState;
  /** The evaluation batches (each at most `batch` rows), the same at every evaluation. */
  readonly evaluation: readonly TokenBatch[];
  /** Whether evaluation reports recall accuracy (mqar) besides the loss. */
  readonly accuracy: boolean;
}

/**
 * The data stream's seed: the run's seed mixed with a constant, so the batches
 * do not reuse the very numbers that initialised the weights (both come from
 * core's mulberry32).
 */
export const dataSeed = (seed: number): number => (seed ^ 0x9e3779b9) >>> 0;

/**
 * Builds the task's data. `state` continues a saved training stream; `chars`
 * (from a checkpoint) must equal the corpus vocabulary found now.
 */
export function taskData(run: RunOptions, state?: StreamState, chars?: readonly string[] | null): TaskData {
  const seed = dataSeed(run.seed);
  if (run.task === 'mqar') {
    const config = { pairs: run.pairs!, keys: run.keys!, values: run.values! };
    const sampler = new MqarSampler(config, run.batch, state ?? seed);
    return {
      vocab: mqarVocabSize(config),
      chars: null,
      next: () => sampler.next(),
      get state() {
        return sampler.state;
      },
      evaluation: splitBatch(mqarEvaluationSet(config, seed, run.evalSequences!), run.batch),
      accuracy: true,
    };
  }
  const brown = loadBrownCorpus();
  if (chars && chars.join('') !== brown.vocab.chars.join(''))
    throw new SasError('E_INPUT', `brown: the checkpoint's vocabulary (${chars.length} characters) differs from the installed corpus' (${brown.vocab.size})`);
  const vocab = brown.vocab;
  const shape = { batch: run.batch, seqLen: run.seqLen };
  const sampler = new TextWindowSampler(vocab.encode(brown.train), shape, state ?? seed);
  return {
    vocab: vocab.size,
    chars: vocab.chars,
    next: () => sampler.next(),
    get state() {
      return sampler.state;
    },
    evaluation: evaluationWindows(vocab.encode(brown.validation), shape, run.evalBatches!),
    accuracy: false,
  };
}
