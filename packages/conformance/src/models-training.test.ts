import { describeModelTraining } from '@sas/conformance/vitest';
import { referenceProvider } from '@sas/core';

// The tiny char GPT's loss falls under AdamW on the float64 reference: the check every backend registers.
describeModelTraining(referenceProvider);
