import { describeConformance, describeModelConformance, describeTraining } from '@sas/conformance/vitest';
import { referenceProvider } from '@sas/core';

// The reference interpreter against the authors' numbers at float64 tolerance (1e-9; gradients 1e-8).
describeConformance(referenceProvider, { mode: 'float64', grads: true });
describeTraining(referenceProvider);

// The char GPT's fixtures (MODEL.md) at the same tolerances: forward, gradients, two AdamW steps.
describeModelConformance(referenceProvider, { mode: 'float64' });
