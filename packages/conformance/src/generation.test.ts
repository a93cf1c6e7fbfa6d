// Generation on the float64 reference: the bundled (or $SAS_MODEL_FIXTURES)
// generation fixtures, and cached decoding against the full forward pass for
// every attention kind at 1e-12.
import { referenceProvider } from '@sas/core';
import { describeGeneration } from './vitest.js';

describeGeneration(referenceProvider);
