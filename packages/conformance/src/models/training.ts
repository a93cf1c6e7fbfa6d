import { buildModel, frozenParams, initModel, tensor, Trainer, type Backend, type ModelConfig, type Tensor } from '@sas/core';

/** The tiny char GPT every backend trains: MODEL.md's shape at its smallest, SAS attention with frozen maps off. */
export const TINY_MODEL_CONFIG: ModelConfig = {
  vocab: 11,
  width: 16,
  layers: 1,
  heads: 2,
  maxSeqLen: 8,
  attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 3 },
};

/**
 * A fixed batch with a rule to learn: row b counts up by b + 1 modulo the
 * vocabulary, the target of each position is the next id, and the first
 * position of every row is ignored (−100), as an associative-recall context
 * would be.
 */
function countingBatch(config: ModelConfig, batch: number, seqLen: number, dtype: Tensor['dtype']): { ids: Tensor; targets: Tensor } {
  const ids: number[] = [];
  const targets: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seqLen; t++) {
      ids.push((b + t * (b + 1)) % config.vocab);
      targets.push(t === 0 ? -100 : (b + (t + 1) * (b + 1)) % config.vocab);
    }
  }
  return { ids: tensor(ids, [batch, seqLen], dtype), targets: tensor(targets, [batch, seqLen], dtype) };
}

/**
 * Trains `TINY_MODEL_CONFIG` (or `config`) with AdamW and global-norm
 * clipping for `steps` steps on one fixed batch on `backend`, through the
 * model's ops (Gather, LayerNorm, Tanh, CrossEntropy and their gradients),
 * and returns the loss before each step. The suite's model training check
 * asserts these fall.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { trainTinyModel } from '@sas/conformance';
 * const losses = await trainTinyModel(createReferenceBackend(), { steps: 4 });
 * losses[3] < losses[0]; // true
 * ```
 */
export async function trainTinyModel(
  backend: Backend,
  options: { readonly steps?: number; readonly config?: ModelConfig; readonly lr?: number } = {},
): Promise<number[]> {
  const config = options.config ?? TINY_MODEL_CONFIG;
  const dtype = backend.dtypes[0];
  const [batch, seqLen] = [3, config.maxSeqLen];
  const graph = buildModel(config, { batch, seqLen, dtype });
  const trainer = new Trainer(
    backend,
    graph,
    'loss',
    initModel(config, 5, { dtype }),
    { kind: 'adamw', lr: options.lr ?? 0.01, weightDecay: 0.01, clipNorm: 1 },
    { frozen: frozenParams(config) },
  );
  const data = countingBatch(config, batch, seqLen, dtype);
  const losses: number[] = [];
  for (let i = 0; i < (options.steps ?? 8); i++) losses.push(await trainer.step(data));
  return losses;
}
