import { buildLayer, initParams, randomNormal, Trainer, withMSELoss, type Backend, type SASConfig } from '@sas/core';

/** The small SAS regression problem every backend trains on. */
export const TRAINING_CONFIG: SASConfig = { kind: 'sas', batch: 2, seqLen: 6, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 6, kernelSize: 3, causal: true };

/**
 * Trains a small SAS layer with AdamW on a fixed regression target for
 * `steps` steps on `backend` and returns the loss before each step. The
 * suite's training check asserts these fall.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { trainSmallSAS } from '@sas/conformance';
 * const losses = await trainSmallSAS(createReferenceBackend(), 5);
 * losses[4] < losses[0]; // true
 * ```
 */
export async function trainSmallSAS(backend: Backend, steps = 6, lr = 0.01): Promise<number[]> {
  const dtype = backend.dtypes[0];
  const c = TRAINING_CONFIG;
  const shape = [c.batch, c.seqLen, c.heads, c.headDim];
  const batch = {
    query: randomNormal(shape, 1, dtype),
    key: randomNormal(shape, 2, dtype),
    value: randomNormal(shape, 3, dtype),
    target: randomNormal([c.batch, c.seqLen, c.heads * c.headDim], 4, dtype),
  };
  const trainer = new Trainer(backend, withMSELoss(buildLayer(c, { dtype }), 'output'), 'loss', initParams(c, 5, dtype), { kind: 'adamw', lr });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push(await trainer.step(batch));
  return losses;
}
