// Generation on gpu.js in cpu mode (float32): the generation fixtures (greedy
// text identical, last prompt logits within 1e-4) and cached decoding against
// the full forward pass for every attention kind within 1e-5.
import { describeGeneration } from '@sas/conformance/vitest';
import { gpujsProvider } from './index.js';

describeGeneration(gpujsProvider, { mode: 'cpu' });
