import { describe, expect, it } from 'vitest';
import { evaluateReference, GraphBuilder, log, randomNormal, softmax, SasError } from '@sas/core';
import { describeConformance } from '@sas/conformance/vitest';
import { createTinyBackend, tinyProvider } from './tiny-backend.js';

// The worked example of docs/embedding.md must pass the same suite as every
// backend: all bundled cases, forward and gradients, at the reference's 1e-9.
describeConformance(tinyProvider, { mode: 'float64', grads: true });

describe('tiny backend (worked example)', () => {
  it('runs Softmax through its decomposition, matching the reference', async () => {
    const b = new GraphBuilder('float64');
    b.output('p', softmax(b.input('x', [3, 7])));
    const g = b.build();
    const x = randomNormal([3, 7], 5, 'float64');
    const [got, want] = await Promise.all([createTinyBackend().run(g, { x }), evaluateReference(g, { x })]);
    got.p.data.forEach((v, i) => expect(v).toBeCloseTo(want.p.data[i], 14));
  });

  it('names the op it cannot run (Log has no kernel here and no decomposition)', async () => {
    const b = new GraphBuilder('float64');
    b.output('y', log(b.input('x', [2])));
    const run = createTinyBackend().run(b.build(), { x: randomNormal([2], 1, 'float64') });
    await expect(run).rejects.toThrow(SasError);
    await expect(createTinyBackend().run(b.build(), { x: randomNormal([2], 1, 'float64') })).rejects.toThrow(/backend 'tiny' has no kernel for op 'Log'/);
  });
});
