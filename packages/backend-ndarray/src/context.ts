import type { GemmEngine } from './lib/gemm.js';

/**
 * What a backend instance hands every kernel: the engines chosen for it at
 * creation (so two backends with different settings can coexist).
 */
export interface KernelContext {
  /** Matrix products C = A·Bᵀ: WebAssembly SIMD for float32 when available, else JS. */
  readonly gemm: GemmEngine;
}
