// Hostile input, class 4: a finite float64 that overflows float32 would turn
// into ±Infinity when a float32 graph casts it, and the output into NaN. Under
// the default policy (nonFinite: 'error') it is refused like NaN or ±Inf.

import { describe, expect, it } from 'vitest';
import { buildLayer, evaluateReference, GraphBuilder, initParams, loadAuthorsWeights, randomNormal, relu, saveAuthorsWeights, type Backend } from '@sas/core';
import { discoverTargets, workspaceCandidates } from '../fuzz/targets.js';
import { catalogue } from './record.js';

const { expectError } = catalogue('float32-overflow');
const targets = await discoverTargets(workspaceCandidates());
const FLOAT32_MAX = 3.4028234663852886e38;
const refusal = "(non-finite values are refused; pass nonFinite: 'allow' to run anyway)";

/** y = relu(x), x of 4 elements, in float32 or float64. */
function reluGraph(dtype: 'float32' | 'float64') {
  const b = new GraphBuilder(dtype);
  b.output('y', relu(b.input('x', [4])));
  return b.build();
}
const x64 = (values: number[]) => ({ dtype: 'float64' as const, shape: [4], data: Float64Array.from(values) });

describe('catalogue: finite float64 values beyond float32 (nonFinite: error)', () => {
  it('1e39 in a float64 feed to a float32 graph is refused, naming the element', () =>
    expectError(
      'float64 value overflowing float32',
      'E_INPUT',
      `feed 'x': element 2 is 1e+39, beyond float32's range, and would become Infinity in this float32 graph ${refusal}`,
      () => evaluateReference(reluGraph('float32'), { x: x64([0, 1, 1e39, 2]) }),
    ));

  it('-3.5e38 is refused as -Infinity; float32 max and values rounding down to it are accepted', async () => {
    await expectError(
      'negative float64 value overflowing float32',
      'E_INPUT',
      `feed 'x': element 0 is -3.5e+38, beyond float32's range, and would become -Infinity in this float32 graph ${refusal}`,
      () => evaluateReference(reluGraph('float32'), { x: x64([-3.5e38, 0, 0, 0]) }),
    );
    // 3.40282350e38 is above FLT_MAX but below the rounding midpoint: it rounds to FLT_MAX, a finite float32.
    const out = await evaluateReference(reluGraph('float32'), { x: x64([FLOAT32_MAX, 3.4028235e38, -FLOAT32_MAX, 1]) });
    expect(Array.from(out.y.data)).toEqual([FLOAT32_MAX, FLOAT32_MAX, 0, 1]);
  });

  it('the same value in a float64 graph is an ordinary number', async () => {
    const out = await evaluateReference(reluGraph('float64'), { x: x64([0, 1, 1e39, 2]) });
    expect(out.y.data[2]).toBe(1e39);
  });

  it("with nonFinite: 'allow' it runs and the overflow shows as Infinity", async () => {
    const out = await evaluateReference(reluGraph('float32'), { x: x64([0, 1, 1e39, 2]) }, { nonFinite: 'allow' });
    expect(out.y.data[2]).toBe(Infinity);
  });

  it('a float64 weight file holding 1e39, fed to a float32 layer, is refused', () => {
    const config = { kind: 'mha', batch: 1, seqLen: 2, heads: 1, headDim: 2, kvHeads: 1, causal: true } as const;
    const weights = initParams(config, 1, 'float64');
    weights['output_dense.bias'] = { ...weights['output_dense.bias'], data: Float64Array.from([0, 1e39]) };
    const loaded = loadAuthorsWeights(saveAuthorsWeights(weights, config), config, 'w.safetensors');
    const query = randomNormal([1, 2, 1, 2], 1, 'float32');
    return expectError(
      'weight file value overflowing float32',
      'E_INPUT',
      `feed 'output_dense.bias': element 1 is 1e+39, beyond float32's range, and would become Infinity in this float32 graph ${refusal}`,
      () => evaluateReference(buildLayer(config, { dtype: 'float32' }), { ...loaded, query, key: query, value: query }),
    );
  });

  // The reference runs float32 graphs through evaluateReference above; these are the float32 backends.
  for (const t of targets.filter((x) => x.name !== 'reference')) {
    const label = `${t.name} (${t.mode})`;
    if (!t.available) {
      it.skip(`${label}: float32 overflow refused — skipped: ${t.reason}`, () => {});
      continue;
    }
    it(`${label}: refuses the overflow in a float32 graph before running`, async () => {
      const backend: Backend = await t.provider.create({ mode: t.mode });
      try {
        await expectError(`float32 overflow (${label})`, 'E_INPUT', /^feed 'x': element 2 is 1e\+39, beyond float32's range/, () =>
          backend.run(reluGraph('float32'), { x: x64([0, 1, 1e39, 2]) }),
        );
      } finally {
        await backend.dispose();
      }
    });
  }
});
