// The char GPT of MODEL.md on tfjs, cpu and wasm: the shared model suite
// against the PyTorch float64 fixtures (forward, every gradient, two AdamW
// steps) at TFJS_MODEL_TOLERANCE, and the tiny model's loss falling under
// training.
import { describeModelConformance, describeModelTraining } from '@sas/conformance/vitest';
import { tfjsProvider } from './index.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

for (const mode of NODE_TEST_MODES) {
  describeModelConformance(tfjsProvider, { mode });
  describeModelTraining(tfjsProvider, { mode });
}
