import type { Tolerance } from '@sas/core';

/**
 * What the tfjs backend is held to, in every mode: tfjs computes in float32,
 * so forward values and gradients get 1e-4 (absolute and relative) against
 * the float64 fixtures. The largest errors measured on the bundled fixtures
 * are ~50× (forward) and ~10× (gradients) smaller on cpu and wasm, and ~60×
 * and ~50× smaller on webgl (headless Chromium, WebGL2 on SwiftShader, with
 * float32 textures; a GPU that only renders float16 would not meet it);
 * docs/backends/tfjs.md lists them. webgpu is not measured yet.
 *
 * @example
 * ```ts
 * import { TFJS_TOLERANCE } from '@sas/backend-tfjs';
 * TFJS_TOLERANCE.gradAtol; // 1e-4
 * ```
 */
export const TFJS_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-4, gradRtol: 1e-4 });
