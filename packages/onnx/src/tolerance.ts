import type { Tolerance } from '@sas/core';

/**
 * The tolerance ONNX Runtime is held to on float32 graphs: its CPU kernels
 * (MLAS) accumulate in float32 and may fuse ops, so results sit a few float32
 * ulps from the float64 reference.
 */
export const ONNX_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-3, gradRtol: 1e-3 });

/**
 * What the model fixtures (the char GPT: logits, loss, every gradient,
 * grad_norm, the params after two AdamW steps) are held to on float32
 * graphs: 1e-4 forward, 1e-3 for gradients and updated params, the bounds
 * issue #13 sets. The largest error measured is 5.3e-4, on a param after the
 * AdamW steps (docs/onnx.md). Until BackendProvider has a model tolerance
 * this is declared here and used by this package's tests.
 */
export const ONNX_MODEL_TOLERANCE: Tolerance = ONNX_TOLERANCE;

/**
 * The model fixtures on float64 graphs: ONNX Runtime's double kernels stay
 * within 1.6e-12 of the authors' float64 numbers (measured), held to the
 * reference backend's bounds.
 */
export const ONNX_FLOAT64_MODEL_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-9, rtol: 1e-9, gradAtol: 1e-8, gradRtol: 1e-8 });
