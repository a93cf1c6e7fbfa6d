import { describe, expect, it } from 'vitest';
import { GraphBuilder, numericalGradientCheck, seededRandom, tanh, tensor } from '@sas/core';
import { evaluateDirect, expectClose, runDecomposed, uniform } from '../test-support/composite.js';
import { sasError } from '../test-support/sas-error.js';

describe('Tanh', () => {
  it('computes tanh by hand values, and its decomposition agrees', async () => {
    // tanh 0 = 0, tanh(ln 2) = (2 − ½)/(2 + ½) = 0.6, tanh(−ln 3) = −(3 − ⅓)/(3 + ⅓) = −0.8
    const x = tensor([0, Math.LN2, -Math.log(3)], [3]);
    expectClose(evaluateDirect('Tanh', [x], {}).data, [0, 0.6, -0.8], 1e-15);
    expectClose((await runDecomposed({ x }, ({ x }) => tanh(x))).data, [0, 0.6, -0.8], 1e-15);
  });

  it('saturates to ±1 without NaN in its decomposition, and keeps NaN as NaN', async () => {
    const y = await runDecomposed({ x: tensor([800, -800, Infinity, -Infinity, NaN], [5]) }, ({ x }) => tanh(x));
    expect(Array.from(y.data)).toEqual([1, -1, 1, -1, NaN]);
  });

  it('its decomposition matches Math.tanh within 1e-15 on [−20, 20]', async () => {
    const x = uniform([200], seededRandom(2), -20, 20);
    expectClose((await runDecomposed({ x }, ({ x }) => tanh(x))).data, evaluateDirect('Tanh', [x], {}).data, 1e-15);
  });

  it('refuses a wrong number of inputs', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    expect(sasError(() => b.apply('Tanh', [x, x])).message).toBe('Tanh: expected 1 inputs, got 2');
  });

  it('its gradient passes the float64 numerical check', async () => {
    const rand = seededRandom(8);
    const [r] = await numericalGradientCheck(([x]) => tanh(x), { x: uniform([3, 4], rand, -3, 3) }, uniform([3, 4], rand));
    expect(r.maxScaledError).toBeLessThan(1e-7);
  });
});
