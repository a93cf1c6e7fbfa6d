import { runConformance, type ConformanceReport } from '@sas/conformance';
import { describeConformance, describeTraining } from '@sas/conformance/vitest';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';
import { expect, it } from 'vitest';
import { createNdarrayBackend, ndarrayProvider, type NdarrayBackendOptions } from './index.js';
import { NDARRAY_FLOAT64_TOLERANCE, NDARRAY_TOLERANCE } from './tolerance.js';

// The shared suite on the bundled fixtures: forward, traces and gradients at
// the float32 tolerance of tolerance.ts (the backend's native precision).
describeConformance(ndarrayProvider, { mode: 'cpu', grads: true });
// And the paper's head shape (forward only), shipped apart for its size.
describeConformance(ndarrayProvider, { mode: 'cpu', fixturesDir: paperHeadFixturesDir() });

// The training check: AdamW steps on a small SAS must lower the loss.
describeTraining(ndarrayProvider, { mode: 'cpu' });

function failures(report: ConformanceReport): string[] {
  return report.cases
    .filter((c) => !c.passed)
    .map(
      (c) =>
        `${c.name}: ${
          c.error ??
          c.checks
            .filter((k) => !k.passed)
            .map((k) => `${k.name} maxAbs ${k.maxAbs}`)
            .join(', ')
        }`,
    );
}

// Both engines on every product, whatever its size: the fixtures are small
// enough that the default settings leave most products to the JS loops.
const ENGINES: [string, NdarrayBackendOptions][] = [
  ['every product on the wasm SIMD kernel', { simd: true, simdMinWork: 0 }],
  ['plain JavaScript, no fusion', { simd: false, fuse: false }],
];
for (const [label, options] of ENGINES) {
  it(`conformance in float32, ${label}`, async () => {
    const report = await runConformance(createNdarrayBackend(options), { tolerance: NDARRAY_TOLERANCE, grads: true });
    expect(failures(report)).toEqual([]);
    expect(report.cases.length).toBeGreaterThan(0);
  });
}

// The same kernels on Float64Array storage must be as exact as the reference.
it('conformance in float64: every case, forward and gradients, at 1e-9', async () => {
  const report = await runConformance(createNdarrayBackend(), { tolerance: NDARRAY_FLOAT64_TOLERANCE, grads: true, dtype: 'float64' });
  expect(failures(report)).toEqual([]);
  expect(report.cases.length).toBeGreaterThan(0);
});
