import type { BackendProvider, ModelTolerance } from '@sas/core';

/**
 * The tolerance a provider declares for the model fixtures in `mode`: its
 * `modelTolerance(mode)` when it has one, else its layer `tolerance(mode)`
 * (updated params then at the gradient tolerance). What `sas conformance
 * --models` and `describeModelConformance` hold a backend to.
 *
 * @example
 * ```ts
 * import { referenceProvider } from '@sas/core';
 * import { modelToleranceFor } from '@sas/conformance/portable';
 * modelToleranceFor(referenceProvider, 'float64').gradAtol; // 1e-8
 * ```
 */
export function modelToleranceFor(provider: BackendProvider, mode: string): ModelTolerance {
  return provider.modelTolerance?.(mode) ?? provider.tolerance(mode);
}

/**
 * The bound on the params after the training steps (step1.*, step2.*):
 * `stepAtol`/`stepRtol` where given, else the gradient tolerance.
 *
 * @example
 * ```ts
 * import { stepTolerance } from '@sas/conformance/portable';
 * stepTolerance({ atol: 1e-5, rtol: 1e-5, gradAtol: 1e-4, gradRtol: 1e-4, stepAtol: 1e-3 }); // { atol: 0.001, rtol: 0.0001 }
 * ```
 */
export function stepTolerance(t: ModelTolerance): { atol: number; rtol: number } {
  return { atol: t.stepAtol ?? t.gradAtol, rtol: t.stepRtol ?? t.gradRtol };
}
