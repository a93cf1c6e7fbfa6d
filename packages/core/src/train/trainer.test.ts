import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  createReferenceBackend,
  GraphBuilder,
  initParams,
  mul,
  randomNormal,
  reduceSum,
  tensor,
  Trainer,
  withMSELoss,
  type SASConfig,
} from '@sas/core';

/** loss = Σ w² (gradient 2w), for hand-checkable optimiser steps. */
function quadratic() {
  const b = new GraphBuilder('float64');
  const w = b.param('w', [2]);
  b.output('loss', reduceSum(mul(w, w), [0]));
  return b.build();
}

describe('optimisers as graphs', () => {
  it('SGD: w ← w − lr·2w', async () => {
    const trainer = new Trainer(createReferenceBackend(), quadratic(), 'loss', { w: tensor([1, -2], [2]) }, { kind: 'sgd', lr: 0.25 });
    expect(await trainer.step({})).toBe(5);
    expect(Array.from(trainer.params.w.data)).toEqual([0.5, -1]); // 1 − 0.25·2, −2 + 0.25·4
  });

  it('AdamW: the first step moves each weight by lr·sign(g) after decoupled decay', async () => {
    const trainer = new Trainer(
      createReferenceBackend(),
      quadratic(),
      'loss',
      { w: tensor([1, -2], [2]) },
      { kind: 'adamw', lr: 0.1, weightDecay: 0.5, eps: 0 },
    );
    await trainer.step({});
    // decay: w·(1 − 0.1·0.5); then m̂ = g, v̂ = g², so the step is 0.1·g/|g|
    expect(trainer.params.w.data[0]).toBeCloseTo(1 * 0.95 - 0.1, 12);
    expect(trainer.params.w.data[1]).toBeCloseTo(-2 * 0.95 + 0.1, 12);
  });

  it('a few AdamW steps lower the regression loss of a SAS layer', async () => {
    const config: SASConfig = { kind: 'sas', batch: 2, seqLen: 6, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 6, kernelSize: 3, causal: true };
    const graph = withMSELoss(buildLayer(config, { dtype: 'float64' }), 'output');
    const shape = [2, 6, 2, 4];
    const batch = {
      query: randomNormal(shape, 1, 'float64'),
      key: randomNormal(shape, 2, 'float64'),
      value: randomNormal(shape, 3, 'float64'),
      target: randomNormal([2, 6, 8], 4, 'float64'),
    };
    const trainer = new Trainer(createReferenceBackend(), graph, 'loss', initParams(config, 5, 'float64'), { kind: 'adamw', lr: 0.01 });
    const losses = [];
    for (let i = 0; i < 8; i++) losses.push(await trainer.step(batch));
    expect(losses[7]).toBeLessThan(losses[0] * 0.9);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
  });
});
