import { describe, expect, it } from 'vitest';
import { crossEntropy, evaluateReference, grad, GraphBuilder, numericalGradientCheck, seededRandom, tensor } from '@sas/core';
import { evaluateDirect, expectClose, randomIds, runDecomposed, uniform } from '../test-support/composite.js';
import { sasError } from '../test-support/sas-error.js';

const LN3 = Math.log(3);

describe('CrossEntropy', () => {
  // Each row [0, ln 3] has softmax [¼, ¾]: target 1 costs ln(4/3), target 0 costs ln 4.
  const logits = tensor([0, LN3, 0, LN3, 0, LN3], [3, 2]);

  it('averages −log softmax at the target over the counted positions, skipping −100', async () => {
    const targets = tensor([1, -100, 0], [3]);
    const expected = (Math.log(4 / 3) + Math.log(4)) / 2;
    expectClose(evaluateDirect('CrossEntropy', [logits, targets], { ignoreIndex: -100 }).data, [expected], 1e-15);
    const y = await runDecomposed({ logits, targets }, ({ logits, targets }) => crossEntropy(logits, targets));
    expect(y.shape).toEqual([]);
    expectClose(y.data, [expected], 1e-15);
  });

  it('stays finite for logits far from 0 (log-sum-exp shifted by the row maximum)', async () => {
    const big = tensor([1000, 1000 + LN3], [1, 2]);
    const y = await runDecomposed({ logits: big, targets: tensor([1], [1]) }, ({ logits, targets }) => crossEntropy(logits, targets));
    expectClose(y.data, [Math.log(4 / 3)], 1e-12);
  });

  it('the reference refuses a target that is neither an id in [0, V) nor −100, naming the position', () => {
    const e = sasError(() => evaluateDirect('CrossEntropy', [logits, tensor([1, 2, 0], [3])], { ignoreIndex: -100 }));
    expect([e.code, e.message]).toEqual([
      'E_INPUT',
      'CrossEntropy: targets at position [1] holds 2, expected an integer id in [0, 2) or the ignore index -100',
    ]);
  });

  it('the reference refuses targets with no counted position (the mean would be 0/0)', () => {
    const e = sasError(() => evaluateDirect('CrossEntropy', [logits, tensor([-100, -100, -100], [3])], { ignoreIndex: -100 }));
    expect([e.code, e.message]).toEqual(['E_INPUT', 'CrossEntropy: every target is the ignore index -100, so the mean counts no position']);
  });

  it('refuses targets not shaped like the logits without their last axis, and a non-negative ignoreIndex', () => {
    const b = new GraphBuilder('float64');
    const l = b.input('l', [2, 3, 5]);
    expect(sasError(() => crossEntropy(l, b.input('t', [3, 2]))).message).toBe(
      'CrossEntropy: targets must have shape [2,3] (logits without their last axis) (inputs a [2,3,5], b [3,2])',
    );
    const e = sasError(() => crossEntropy(l, b.input('t2', [2, 3]), 0));
    expect([e.code, e.message]).toEqual(['E_ATTR', 'CrossEntropy: ignoreIndex must be a negative integer, got 0']);
  });

  it('its decomposition matches its evaluate on random rank-3 logits with ignored positions', async () => {
    const rand = seededRandom(12);
    const l = uniform([2, 5, 7], rand, -4, 4);
    const t = randomIds([2, 5], 7, rand);
    t.data[3] = -100;
    t.data[8] = -100;
    const direct = evaluateDirect('CrossEntropy', [l, t], { ignoreIndex: -100 });
    expectClose((await runDecomposed({ l, t }, ({ l, t }) => crossEntropy(l, t))).data, direct.data, 1e-14);
  });

  it('its gradient w.r.t. the logits passes the float64 numerical check (ignored rows get 0)', async () => {
    const rand = seededRandom(13);
    const t = randomIds([3, 4], 6, rand);
    t.data[5] = -100;
    const targets = t.data;
    const [r] = await numericalGradientCheck(
      ([l]) => crossEntropy(l, l.builder.constant(Array.from(targets), [3, 4])),
      { l: uniform([3, 4, 6], rand, -2, 2) },
      tensor([1.7], []),
    );
    expect(r.maxScaledError).toBeLessThan(1e-7);
    // The ignored position's row of the gradient is exactly 0.
    const b = new GraphBuilder('float64');
    const l = b.input('l', [3, 4, 6]);
    b.output('loss', crossEntropy(l, b.constant(Array.from(targets), [3, 4])));
    const g = (await evaluateReference(grad(b.build(), 'loss', { wrt: ['l'] }), { l: uniform([3, 4, 6], rand) }))['grad.l'];
    expect(Array.from(g.data.subarray(5 * 6, 6 * 6))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
