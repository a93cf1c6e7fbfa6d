import type { Deferred } from './deferred.js';
import type { GemmEngine } from './lib/gemm.js';
import type { ThreadPool } from './threads/pool.js';
import type { WasmRuntime } from './wasm/runtime.js';

/**
 * What a backend instance hands every kernel: the engines chosen for it at
 * creation (so two backends with different settings can coexist).
 */
export interface KernelContext {
  /** Matrix products C = A·Bᵀ: WebAssembly SIMD for float32 when available, else JS. */
  readonly gemm: GemmEngine;
  /** The SIMD instance behind `gemm` when it is the wasm engine (fused float32 attention runs on it). */
  readonly wasm?: WasmRuntime;
  /** Worker threads that share out the fused attention's heads and large products' rows (with `wasm`; absent or size 1: one thread). */
  readonly pool?: ThreadPool;
  /**
   * This run's deferred nodes by id (a fresh map per run): a fused kernel
   * finds the members of its group here, and hands their values back.
   */
  readonly deferred?: Map<number, Deferred>;
}
