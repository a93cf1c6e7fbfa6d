import { describe, expect, it } from 'vitest';
import { buildTrainingStep, createReferenceBackend, GraphBuilder, mul, reduceSum, add, tensor, Trainer } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** loss = Σ w² + Σ u² (gradients 2w, 2u), for hand-checkable steps. */
function twoQuadratics() {
  const b = new GraphBuilder('float64');
  const w = b.param('w', [2]);
  const u = b.param('u', [1]);
  b.output('loss', add(reduceSum(mul(w, w), [0]), reduceSum(mul(u, u), [0])));
  return b.build();
}

const start = () => ({ w: tensor([3, 4], [2]), u: tensor([0], [1]) });

describe('global-norm clipping (MODEL.md: coef = min(1, clip / (norm + 1e-6)))', () => {
  it('scales every gradient by clip / (norm + 1e-6) when the norm is larger, and reports the norm before clipping', async () => {
    // g = [6, 8, 0], norm 10; SGD lr 1: w ← w − g·5/(10 + 1e-6)
    const trainer = new Trainer(createReferenceBackend(), twoQuadratics(), 'loss', start(), { kind: 'sgd', lr: 1, clipNorm: 5 });
    expect(await trainer.step({})).toBe(25);
    expect(trainer.lastGradNorm).toBe(10);
    const coef = 5 / (10 + 1e-6);
    expect(Array.from(trainer.params.w.data)).toEqual([3 - 6 * coef, 4 - 8 * coef]);
  });

  it('leaves gradients exactly as they are when the norm is below the clip (coef is exactly 1)', async () => {
    const trainer = new Trainer(createReferenceBackend(), twoQuadratics(), 'loss', start(), { kind: 'sgd', lr: 0.25, clipNorm: 10.5 });
    await trainer.step({});
    expect(Array.from(trainer.params.w.data)).toEqual([3 - 0.25 * 6, 4 - 0.25 * 8]);
  });

  it('refuses a clip that is not a positive finite number', () => {
    const e = sasError(() => buildTrainingStep(twoQuadratics(), 'loss', { kind: 'adamw', lr: 1, clipNorm: 0 }));
    expect([e.code, e.message]).toEqual(['E_CONFIG', 'optimizer.clipNorm: expected a positive finite number, got 0']);
  });
});

describe('frozen params', () => {
  it('get no gradient, no decay, no update, no moments, and stay out of the norm', async () => {
    const step = buildTrainingStep(twoQuadratics(), 'loss', { kind: 'adamw', lr: 0.1, weightDecay: 0.5 }, { frozen: ['w'] });
    const outputs = Object.keys(step.outputs);
    expect(outputs.filter((n) => n.includes('.w'))).toEqual([]);
    expect(step.nodes.filter((n) => n.op === 'Input').map((n) => n.attrs.name)).not.toContain('opt.m.w');
    const trainer = new Trainer(
      createReferenceBackend(),
      twoQuadratics(),
      'loss',
      { w: tensor([3, 4], [2]), u: tensor([1], [1]) },
      { kind: 'adamw', lr: 0.1, weightDecay: 0.5 },
      { frozen: ['w'] },
    );
    await trainer.step({});
    const u1 = trainer.params.u.data[0];
    expect(u1).not.toBe(1);
    await trainer.step({});
    expect(Array.from(trainer.params.w.data)).toEqual([3, 4]);
    expect(trainer.lastGradNorm).toBe(Math.abs(2 * u1)); // |∂/∂u| only: w's gradient (norm 10) is left out
    expect(Object.keys(trainer.exportState().moments).sort()).toEqual(['opt.m.u', 'opt.v.u']);
  });

  it('refuses an unknown frozen name and freezing everything', () => {
    expect(sasError(() => buildTrainingStep(twoQuadratics(), 'loss', { kind: 'sgd', lr: 1 }, { frozen: ['x'] })).message).toBe(
      "frozen: the graph has no param 'x'",
    );
    expect(sasError(() => buildTrainingStep(twoQuadratics(), 'loss', { kind: 'sgd', lr: 1 }, { frozen: ['w', 'u'] })).message).toBe(
      'frozen: every param is frozen, nothing would train',
    );
  });
});

describe('AdamW as torch.optim.AdamW', () => {
  it('two steps by hand: decay, bias-corrected moments, lr per step from the schedule', async () => {
    const b = new GraphBuilder('float64');
    const w = b.param('w', [1]);
    b.output('loss', reduceSum(mul(w, w), [0]));
    const [lr1, lr2, beta1, beta2, eps, wd] = [0.1, 0.05, 0.9, 0.999, 1e-8, 0.01];
    const trainer = new Trainer(
      createReferenceBackend(),
      b.build(),
      'loss',
      { w: tensor([2], [1]) },
      { kind: 'adamw', lr: 1, beta1, beta2, eps, weightDecay: wd },
    );
    await trainer.step({}, { lr: lr1 });
    await trainer.step({}, { lr: lr2 });
    // torch: p·(1 − lr·wd); m, v; p − lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + eps)
    let p = 2;
    let m = 0;
    let v = 0;
    [lr1, lr2].forEach((lr, i) => {
      const t = i + 1;
      const g = 2 * p;
      p *= 1 - lr * wd;
      m += (g - m) * (1 - beta1);
      v = v * beta2 + g * g * (1 - beta2);
      p -= (lr / (1 - beta1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - beta2 ** t) + eps));
    });
    expect(trainer.params.w.data[0]).toBe(p);
    expect(trainer.stepCount).toBe(2);
  });
});
