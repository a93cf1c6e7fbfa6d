import {
  type AdamWOptions,
  type Backend,
  buildModel,
  canonicalModelConfig,
  frozenParams,
  type Graph,
  initModel,
  lrAt,
  type ModelConfig,
  modelParams,
  type Tensor,
  Trainer,
} from '@sas/core';
import { IGNORE_TARGET, recallAccuracy, type TokenBatch } from '@sas/data';
import type { TrainableModel } from './loop.js';
import type { RunOptions } from './options.js';

/**
 * The char GPT a run trains: MODEL.md's config from the run's options and
 * the task's vocabulary (maxSeqLen = the run's sequence length).
 *
 * @example
 * ```ts
 * modelConfig(resolveRunOptions({ task: 'mqar', attention: 'mqa' }), 128);
 * // { vocab: 128, width: 64, layers: 2, heads: 4, maxSeqLen: 48, attention: { kind: 'mqa', kvHeads: 1 } }
 * ```
 */
export function modelConfig(run: RunOptions, vocab: number): ModelConfig {
  const base = { vocab, width: run.width, layers: run.layers, heads: run.heads, maxSeqLen: run.seqLen };
  const attention =
    run.attention === 'sas'
      ? { kind: 'sas' as const, simHeads: run.simHeads!, simHeadDim: run.simHeadDim!, kernelSize: run.kernel!, featureMaps: run.featureMaps! }
      : { kind: run.attention, kvHeads: run.kvHeads! };
  return canonicalModelConfig(run.freeze === null ? { ...base, attention } : { ...base, attention, freeze: run.freeze });
}

/** The optimiser of a run: AdamW as torch.optim.AdamW, clipping unless --clip 0. */
export function optimizerOf(run: RunOptions): AdamWOptions {
  return { kind: 'adamw', lr: run.lr, weightDecay: run.weightDecay, ...(run.clip > 0 ? { clipNorm: run.clip } : {}) };
}

/** Learning rate of step `step` (1-based): core's schedule, linear warmup then cosine to lr·lrFloor. */
export function scheduleOf(run: RunOptions): (step: number) => number {
  const schedule = { lr: run.lr, warmup: run.warmup, steps: run.steps, minLrRatio: run.lrFloor };
  return (step) => lrAt(step - 1, schedule);
}

/** Number of parameters of a config: all, and those that train. */
export function countModelParams(config: ModelConfig): { all: number; trainable: number } {
  const frozen = new Set(frozenParams(config));
  let all = 0;
  let trainable = 0;
  for (const p of modelParams(config).specs) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    all += n;
    if (!frozen.has(p.name)) trainable += n;
  }
  return { all, trainable };
}

/** ids and targets as the model graph's inputs, in its dtype. */
function feedsOf(batch: TokenBatch, dtype: Graph['dtype']): Record<string, Tensor> {
  const shape = [batch.batch, batch.seqLen];
  const as = (a: Int32Array) => (dtype === 'float32' ? Float32Array.from(a) : Float64Array.from(a));
  return { ids: { dtype, shape, data: as(batch.ids) }, targets: { dtype, shape, data: as(batch.targets) } };
}

/**
 * The trainer of a run on a backend: params initialised from the run's seed
 * (and --init), frozen sets from --freeze, one training-step graph, and
 * forward-only graphs (logits and loss) for evaluation batches, one per batch
 * size met.
 */
export function createModel(run: RunOptions, config: ModelConfig, backend: Backend): TrainableModel & { readonly trainer: Trainer } {
  const dtype = backend.dtypes[0];
  const graph = buildModel(config, { batch: run.batch, seqLen: run.seqLen, dtype });
  const params = initModel(config, run.seed, { init: run.init, dtype });
  const trainer = new Trainer(backend, graph, 'loss', params, optimizerOf(run), { frozen: frozenParams(config) });
  const evalGraphs = new Map<number, Graph>([[run.batch, graph]]);
  const evalGraph = (rows: number) => {
    if (!evalGraphs.has(rows)) evalGraphs.set(rows, buildModel(config, { batch: rows, seqLen: run.seqLen, dtype }));
    return evalGraphs.get(rows)!;
  };
  return {
    trainer,
    step: (batch, lr) => trainer.step(feedsOf(batch, dtype), { lr }),
    async evaluate(batch, accuracy) {
      const outputs = accuracy ? ['loss', 'logits'] : ['loss'];
      const out = await backend.run(evalGraph(batch.batch), { ...trainer.params, ...feedsOf(batch, dtype) }, { outputs });
      const counted = batch.targets.reduce((n, t) => n + (t === IGNORE_TARGET ? 0 : 1), 0);
      const loss = out.loss.data[0];
      if (!accuracy) return { loss, counted };
      const score = recallAccuracy(out.logits, batch.targets);
      return { loss, counted, correct: score.correct, asked: score.total };
    },
  };
}
