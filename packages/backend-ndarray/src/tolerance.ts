import type { Tolerance } from '@sas/core';

/**
 * The one place the ndarray backend's float32 accuracy promise is written
 * down; a value passes when |a − e| ≤ atol + rtol·|e|. Ten times tighter than
 * the ceiling (1e-4) for the forward pass. Measured against the
 * float64 answers: forward errors on the bundled fixtures and on a random
 * paper-shape SAS layer (T = 512, H' = 24, D' = 128) stay below 1e-6, about
 * 3% of this bound; gradients below 2e-6 on the fixtures. The JS loops sum in
 * double precision, the WebAssembly SIMD kernels in float32 lanes; the bound
 * covers both.
 */
export const NDARRAY_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-5, rtol: 1e-5, gradAtol: 1e-4, gradRtol: 1e-4 });

/** float64 graphs run the same kernels (the JS engine) on Float64Array storage: as exact as the reference. */
export const NDARRAY_FLOAT64_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-9, rtol: 1e-9, gradAtol: 1e-8, gradRtol: 1e-8 });
