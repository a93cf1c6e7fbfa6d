import { describe, expect, it } from 'vitest';
import { add, evaluateReference, exp, grad, GraphBuilder, mul, reduceSum, SasError, tensor } from '@sas/core';

describe('grad', () => {
  it('accumulates over fan-out: d/dx Σ (x·x + x) = 2x + 1', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [3]);
    b.output('loss', reduceSum(add(mul(x, x), x), [0]));
    const out = await evaluateReference(grad(b.build(), 'loss', { wrt: ['x'] }), { x: tensor([1, -2, 0.5], [3]) });
    expect(Array.from(out['grad.x'].data)).toEqual([3, -3, 2]);
  });

  it('un-broadcasts: the gradient of a broadcast bias sums over the broadcast axes', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const bias = b.param('bias', [3]);
    b.output('loss', reduceSum(add(x, bias), [0, 1]));
    const out = await evaluateReference(grad(b.build(), 'loss'), { x: tensor([1, 2, 3, 4, 5, 6], [2, 3]), bias: tensor([0, 0, 0], [3]) });
    expect(out['grad.bias'].shape).toEqual([3]);
    expect(Array.from(out['grad.bias'].data)).toEqual([2, 2, 2]); // each bias entry is used twice
    expect(out['grad.x']).toBeUndefined(); // default wrt: params only
  });

  it('gives zeros for a leaf the loss does not depend on, and keeps the original outputs', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    b.input('unused', [2, 2]);
    b.output('y', exp(x));
    b.output('loss', reduceSum(exp(x), [0]));
    const g = grad(b.build(), 'loss', { wrt: ['x', 'unused'] });
    expect(Object.keys(g.outputs)).toEqual(['y', 'loss', 'grad.x', 'grad.unused']);
    const out = await evaluateReference(g, { x: tensor([0, 1], [2]), unused: tensor([1, 1, 1, 1], [2, 2]) });
    expect(Array.from(out['grad.unused'].data)).toEqual([0, 0, 0, 0]);
    expect(out['grad.x'].data[1]).toBeCloseTo(Math.E, 14);
  });

  it('refuses a non-scalar loss, an unknown output and an unknown leaf', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    b.output('y', exp(x));
    const g = b.build();
    expect(() => grad(g, 'y')).toThrow(/loss 'y' must be a scalar, got shape \[2\]/);
    expect(() => grad(g, 'nope')).toThrow(/no output 'nope'/);
    b.output('s', reduceSum(x, [0]));
    expect(() => grad(b.build(), 's', { wrt: ['w'] })).toThrow(SasError);
  });
});
