// Generation on tfjs (float32), in each Node test mode: the generation
// fixtures (greedy text identical, last prompt logits within 1e-4) and cached
// decoding against the full forward pass for every attention kind within 1e-5.
import { describeGeneration } from '@sas/conformance/vitest';
import { tfjsProvider } from './index.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

for (const mode of NODE_TEST_MODES) describeGeneration(tfjsProvider, { mode });
