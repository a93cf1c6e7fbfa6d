import { describe, expect, it } from 'vitest';
import { referenceProvider } from '@sas/core';
import { loadCaseTensors, loadFixtureSet } from '@sas/conformance';
import { describeConformance } from '@sas/conformance/vitest';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';

describe('@sas/fixtures-paper-head', () => {
  it('is a fixture directory holding the paper-head case, forward only', () => {
    const set = loadFixtureSet(paperHeadFixturesDir());
    expect(set.cases.map((c) => c.name)).toEqual(['sas-paper-head']);
    const [paper] = set.cases;
    expect(paper.config).toMatchObject({ kind: 'sas', batch: 1, seqLen: 64, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3 });
    const tensors = loadCaseTensors(paper);
    expect(tensors.expected.output.shape).toEqual([1, 64, 12 * 64]);
    expect(tensors.cotangent).toBeUndefined();
    expect(Object.keys(tensors.grads)).toEqual([]);
  });
});

// The float64 reference reproduces the authors' output at the paper's shape (each backend's own test runs it too).
describeConformance(referenceProvider, { mode: 'float64', fixturesDir: paperHeadFixturesDir() });
