import type { Tolerance } from '@sas/core';

/**
 * GL modes (headlessgl, webgl, webgl2, webgpu) compute in float32 shaders
 * whose `exp`, `/` and texture addressing are only specified to a few ULP, and
 * run in whatever precision the driver gives `highp`: held to 1e-3.
 * Gradients go through the same shaders over longer chains (the VJPs of the
 * convolutions sum T·k·H' products), and pass at the same 1e-3 on the bundled
 * fixtures; they are not loosened.
 */
const GL: Tolerance = Object.freeze({ atol: 1e-3, rtol: 1e-3, gradAtol: 1e-3, gradRtol: 1e-3 });

/** cpu and webasm compute IEEE float32 in the order written: held to 1e-4. */
const HOST: Tolerance = Object.freeze({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-4, gradRtol: 1e-4 });

/**
 * The tolerance the gpu.js backend is held to in `mode`: a value passes when
 * `|a − e| ≤ atol + rtol·|e|` against the float64 reference.
 *
 * @example
 * ```ts
 * import { gpujsTolerance } from '@sas/backend-gpujs';
 * gpujsTolerance('headlessgl').atol; // 0.001
 * gpujsTolerance('cpu').atol;        // 0.0001
 * ```
 */
export function gpujsTolerance(mode: string): Tolerance {
  return mode === 'cpu' || mode === 'webasm' ? HOST : GL;
}
