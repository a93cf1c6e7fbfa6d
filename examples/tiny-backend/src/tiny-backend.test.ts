import { describe, expect, it } from 'vitest';
import { attention, evaluateReference, GraphBuilder, randomNormal } from '@sas/core';
import { describeConformance } from '@sas/conformance/vitest';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';
import { createTinyBackend, tinyProvider } from './tiny-backend.js';

// The worked example of docs/embedding.md must pass the same suite as every
// backend: all bundled cases, forward and gradients, at the reference's 1e-9.
describeConformance(tinyProvider, { mode: 'float64', grads: true });
describeConformance(tinyProvider, { mode: 'float64', fixturesDir: paperHeadFixturesDir() });

describe('tiny backend (worked example)', () => {
  it('runs the composite Attention through its decomposition, matching the reference', async () => {
    const b = new GraphBuilder('float64');
    const [q, k, v] = ['q', 'k', 'v'].map((name) => b.input(name, [2, 5, 4]));
    b.output('y', attention(q, k, v, { scale: 0.5, causal: true }));
    const g = b.build();
    const feeds = { q: randomNormal([2, 5, 4], 1, 'float64'), k: randomNormal([2, 5, 4], 2, 'float64'), v: randomNormal([2, 5, 4], 3, 'float64') };
    const backend = createTinyBackend();
    const [got, want] = await Promise.all([backend.run(g, feeds), evaluateReference(g, feeds)]);
    got.y.data.forEach((x, i) => expect(x).toBeCloseTo(want.y.data[i], 14));
  });
});
