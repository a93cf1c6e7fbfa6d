import { describe, expect, it } from 'vitest';
import { GraphBuilder, layerNorm, layerNormGrad, numericalGradientCheck, seededRandom, tensor } from '@sas/core';
import { evaluateDirect, expectClose, runDecomposed, uniform } from '../test-support/composite.js';
import { sasError } from '../test-support/sas-error.js';

describe('LayerNorm', () => {
  it('normalises each row over the last axis with the biased variance, then scales and shifts', async () => {
    // row [1, 2, 3]: mean 2, biased var 2/3 → x̂ = [−1, 0, 1]·√1.5; row [0, 0, 6]: mean 2, var 8 → x̂ = [−2, −2, 4]/√8
    const x = tensor([1, 2, 3, 0, 0, 6], [2, 3]);
    const weight = tensor([1, 2, 3], [3]);
    const bias = tensor([0, 1, 0], [3]);
    const s = Math.sqrt(1.5);
    const r8 = 1 / Math.sqrt(8);
    const expected = [-s, 1, 3 * s, -2 * r8, 1 - 4 * r8, 12 * r8];
    expectClose(evaluateDirect('LayerNorm', [x, weight, bias], { eps: 0 }).data, expected, 1e-15);
    expectClose((await runDecomposed({ x, weight, bias }, ({ x, weight, bias }) => layerNorm(x, weight, bias, 0))).data, expected, 1e-15);
  });

  it('adds eps (default 1e-5, as PyTorch) to the variance', async () => {
    // [0, 2]: mean 1, var 1 → ±1/√(1 + 1e-5)
    const y = await runDecomposed({ x: tensor([0, 2], [2]), w: tensor([1, 1], [2]), b: tensor([0, 0], [2]) }, ({ x, w, b }) => layerNorm(x, w, b));
    expectClose(y.data, [-1 / Math.sqrt(1.00001), 1 / Math.sqrt(1.00001)], 1e-15);
  });

  it('gives the bias for a constant row (variance 0, eps > 0), never NaN', async () => {
    const y = await runDecomposed({ x: tensor([5, 5, 5], [3]), w: tensor([2, 2, 2], [3]), b: tensor([1, 2, 3], [3]) }, ({ x, w, b }) => layerNorm(x, w, b));
    expect(Array.from(y.data)).toEqual([1, 2, 3]);
  });

  it('refuses weight or bias not shaped [w], and a negative or non-finite eps', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 4]);
    expect(sasError(() => layerNorm(x, b.input('w', [3]), b.input('b', [4]))).message).toBe(
      'LayerNorm: weight must have shape [4] (the last axis of x) (inputs a [2,4], b [3], c [4])',
    );
    expect(sasError(() => layerNorm(x, b.input('w2', [4]), b.input('b2', [4, 1]))).message).toBe(
      'LayerNorm: bias must have shape [4] (the last axis of x) (inputs a [2,4], b [4], c [4,1])',
    );
    const e = sasError(() => layerNorm(x, b.input('w3', [4]), b.input('b3', [4]), -1));
    expect([e.code, e.message]).toEqual(['E_ATTR', 'LayerNorm: eps must be a non-negative finite number, got -1']);
  });

  it('its gradients w.r.t. x, weight and bias pass the float64 numerical check', async () => {
    const rand = seededRandom(3);
    for (const shape of [[2, 3, 5], [4, 1], [6]]) {
      const w = shape[shape.length - 1];
      const inputs = { x: uniform(shape, rand, -2, 2), weight: uniform([w], rand), bias: uniform([w], rand) };
      const results = await numericalGradientCheck(([x, weight, bias]) => layerNorm(x, weight, bias, 1e-3), inputs, uniform(shape, rand));
      for (const r of results) expect(r.maxScaledError, `${shape} ${r.input}`).toBeLessThan(1e-6);
    }
  });
});

describe('LayerNormGrad', () => {
  it('its evaluate and its decomposition agree, for x and for weight', async () => {
    const rand = seededRandom(9);
    const feeds = { x: uniform([3, 4, 6], rand, -2, 2), weight: uniform([6], rand), g: uniform([3, 4, 6], rand) };
    for (const wrt of ['x', 'weight'] as const) {
      const direct = evaluateDirect('LayerNormGrad', [feeds.x, feeds.weight, feeds.g], { eps: 1e-5, wrt });
      const decomposed = await runDecomposed(feeds, ({ x, weight, g }) => layerNormGrad(x, weight, g, 1e-5, wrt));
      expect(decomposed.shape).toEqual(direct.shape);
      expectClose(decomposed.data, direct.data, 1e-12);
    }
  });

  it('refuses an unknown wrt and a cotangent not shaped like x', () => {
    const b = new GraphBuilder('float64');
    const [x, w] = [b.input('x', [2, 3]), b.input('w', [3])];
    expect(sasError(() => b.applyByName('LayerNormGrad', [x, w, b.input('g', [2, 3])], { eps: 1e-5, wrt: 'bias' })).message).toBe(
      "LayerNormGrad: wrt must be 'x' or 'weight', got \"bias\"",
    );
    expect(sasError(() => layerNormGrad(x, w, b.input('g2', [3, 2]), 1e-5, 'x')).message).toBe(
      'LayerNormGrad: the cotangent g (c) must be shaped like x (inputs a [2,3], b [3], c [3,2])',
    );
  });
});
