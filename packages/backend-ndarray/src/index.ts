/**
 * @sas/backend-ndarray — the CPU backend: every @sas/core op as a kernel over
 * `ndarray` views on Float32Array storage (Float64Array for float64 graphs).
 *
 * Kernel design, in short:
 * - Values are contiguous row-major ndarrays; Reshape is a free view and no
 *   kernel ever writes into an input (feeds are used without a copy).
 * - Elementwise ops plan the broadcast once (size-1 axes dropped, contiguous
 *   axes merged) and run tight loops per row for each stride case; no
 *   closure is called per element.
 * - Every matmul is reduced to one register-tiled form, C = A·Bᵀ with both
 *   operands walking K contiguously (4×4 tile, 16 multiply-adds per 8
 *   loads, column panels sized for L2); transposed operands are packed once
 *   per batch matrix, and a batch of A against an unbatched B is one tall
 *   matrix (feature maps, PEAA dense).
 * - Conv1d over the head axis is one small matmul per sample against a
 *   reused [Lout, C·k] window buffer, never an N-sized im2col.
 * - Softmax is fused (max, exp stored once, scale); CausalMask, Flip,
 *   BroadcastTo and Transpose are bulk copies (tiled when axes swap).
 * - All sums accumulate in double precision; the float32 tolerance lives in
 *   `tolerance.ts`.
 */
export { createNdarrayBackend, ndarrayProvider, type NdarrayBackend, type NdarrayBackendOptions } from './backend.js';
export { NDARRAY_TOLERANCE, NDARRAY_FLOAT64_TOLERANCE } from './tolerance.js';
export { NDARRAY_KERNELS } from './kernels/index.js';
export type { NdHandle, FloatData } from './handle.js';
