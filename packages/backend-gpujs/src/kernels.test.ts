import { OP_NAMES } from '@sas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpujsTolerance } from './tolerance.js';
import { opCases } from './test/cases.js';
import { compareWithReference, createGpujsBackend, modeSkipReason, TEST_MODES } from './test/harness.js';
import type { GpujsBackend } from './backend.js';

const CASES_PER_OP = 8;

// Every op against the float64 reference on seeded random shapes, attributes
// and input views (transposed, flipped, scaled, broadcast, reshaped, masked),
// in every Node mode; headlessgl only where a display exists (CI: xvfb-run -a).
for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  describe(`gpujs ${mode}: each kernel vs the reference`, () => {
    if (reason) {
      it.skip(`all ops (skipped: ${reason})`, () => {});
      return;
    }
    let backend: GpujsBackend;
    beforeAll(async () => {
      backend = await createGpujsBackend({ mode });
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    const { atol, rtol } = gpujsTolerance(mode);
    for (const [n, op] of OP_NAMES.entries()) {
      it(`${op}: ${CASES_PER_OP} random cases`, async () => {
        for (const c of opCases(op, 17 + n, CASES_PER_OP)) {
          const excess = await compareWithReference(backend, c.graph, c.feeds, atol, rtol);
          expect(excess.y, `${c.name}: worst |a−e| − (atol + rtol·|e|)`).toBeLessThanOrEqual(0);
        }
        expect(backend.stats().storages).toBe(0);
      });
    }
  });
}
