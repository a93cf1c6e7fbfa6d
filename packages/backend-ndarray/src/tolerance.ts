import type { Tolerance } from '@sas/core';

/**
 * The one place the ndarray backend's accuracy promise is written down.
 * Storage is float32 but every sum (matmul, conv, softmax, reductions) runs in
 * double precision, so outputs land within a few float32 ulps of the float64
 * reference; these bounds (the loosest allowed) leave room for the
 * long sums of gradient graphs. A value passes when |a − e| ≤ atol + rtol·|e|.
 */
export const NDARRAY_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-3, gradRtol: 1e-3 });

/** float64 graphs run the same kernels on Float64Array storage. */
export const NDARRAY_FLOAT64_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-9, rtol: 1e-9, gradAtol: 1e-8, gradRtol: 1e-8 });
