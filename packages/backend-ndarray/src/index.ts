/**
 * @sas/backend-ndarray — the CPU backend: every @sas/core op as a kernel over
 * `ndarray` views on Float32Array storage (Float64Array for float64 graphs).
 *
 * Kernel design, in short (docs/backends/ndarray.md has the long version):
 * - Values are contiguous row-major ndarrays; Reshape is a free view and no
 *   kernel ever writes into an input (feeds are used without a copy).
 * - Elementwise ops plan the broadcast once (size-1 axes dropped, contiguous
 *   axes merged) and run tight loops per row for each stride case; no
 *   closure is called per element. Reductions accumulate in double.
 * - Every matmul is reduced to one form, C = A·Bᵀ with both operands walking
 *   K contiguously, through a gemm engine: a WebAssembly SIMD kernel for
 *   float32 (2×4 tile of f32x4 sums, assembled from TypeScript at load time,
 *   src/wasm/) or 4×4 register-tiled JS loops (float64, no SIMD).
 * - Conv1d over the head axis is a product whose right operand is the
 *   transposed sample read with overlapping rows: no im2col buffer.
 * - A per-graph fusion planner (src/fusion/) defers chains the consumer can
 *   do better: softmax(mask(q·kᵀ·c))·v becomes one blocked causal attention
 *   kernel (no T×T tensor, masked key blocks skipped, vectorised softmax);
 *   bias/residual Adds and Relu inputs fold into matmul/conv epilogues; a
 *   sum over groups of a product (PEAA) is taken before the product.
 * - The float32 tolerance lives in `tolerance.ts`.
 */
export { createNdarrayBackend, ndarrayProvider, type NdarrayBackend, type NdarrayBackendOptions } from './backend.js';
export { NDARRAY_TOLERANCE, NDARRAY_FLOAT64_TOLERANCE, NDARRAY_MODEL_TOLERANCE } from './tolerance.js';
export { NDARRAY_KERNELS } from './kernels/index.js';
export { wasmSimdAvailable } from './wasm/runtime.js';
export { liveWorkerCount } from './threads/pool.js';
export type { NdHandle, FloatData } from './handle.js';
