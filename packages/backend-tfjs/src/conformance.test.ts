import { describeConformance, describeTraining } from '@sas/conformance/vitest';
import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';
import { tfjsProvider } from './index.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

// The shared suite on the bundled fixtures, forward, traces and gradients, at
// TFJS_TOLERANCE; then the shared training check (AdamW steps lower the loss).
for (const mode of NODE_TEST_MODES) {
  describeConformance(tfjsProvider, { mode, grads: true });
  describeConformance(tfjsProvider, { mode, fixturesDir: paperHeadFixturesDir() }); // the paper's head shape, forward only
  describeTraining(tfjsProvider, { mode });
}
