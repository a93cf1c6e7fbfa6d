import { describeConformance } from '@sas/conformance/vitest';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';
import { it } from 'vitest';
import { gpujsProvider } from './provider.js';
import { modeSkipReason, TEST_MODES } from './test/harness.js';

// The shared suite (every bundled fixture case: output, traces and gradients)
// in each Node mode. headlessgl needs a display: CI runs the tests under
// `xvfb-run -a`; without one the mode is skipped with the probe's reason.
for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  if (reason) it.skip(`conformance: gpujs (${mode}) (skipped: ${reason})`, () => {});
  else {
    describeConformance(gpujsProvider, { mode, grads: true });
    describeConformance(gpujsProvider, { mode, fixturesDir: paperHeadFixturesDir() }); // the paper's head shape, forward only
  }
}
