import { describeConformance, describeTraining } from '@sas/conformance/vitest';
import { referenceProvider } from '@sas/core';

// The reference interpreter against the authors' numbers at float64 tolerance (1e-9; gradients 1e-8).
describeConformance(referenceProvider, { mode: 'float64', grads: true });
describeTraining(referenceProvider);
