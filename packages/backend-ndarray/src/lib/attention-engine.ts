import type { DType } from '@sas/core';
import { attention } from '../fusion/attention.js';
import { threadedAttention } from '../threads/attention.js';
import { ThreadPool } from '../threads/pool.js';
import type { WasmRuntime } from '../wasm/runtime.js';
import type { GemmEngine } from './gemm.js';
import type { RowView } from './rows.js';

/**
 * Where the blocked attention forward runs, chosen once per backend (as
 * `GemmEngine` is for products): plain JS over the gemm engine, or the
 * WebAssembly SIMD kernel, on the backend's threads when it has several.
 */
export interface AttentionEngine {
  /** 'js', 'wasm-simd' or 'wasm-simd-threads' (for profiles and tests). */
  readonly name: string;
  /** True when outputs of `dtype` must live in shared memory (worker threads write them in place). */
  sharesOutput(dtype: DType): boolean;
  /** `softmax(mask(scale·q·kᵀ))·v` into `out`, over the broadcast batch `batchShape` (fusion/attention.ts). */
  forward(q: RowView, k: RowView, v: RowView, out: RowView, batchShape: readonly number[], scale: number, causal: boolean): void;
}

/**
 * The blocked attention in JavaScript, its products on `gemm`.
 *
 * @example
 * ```ts
 * import { jsAttention } from './attention-engine.js';
 * import { jsGemm } from './gemm.js';
 * jsAttention(jsGemm).name; // 'js'
 * ```
 */
export function jsAttention(gemm: GemmEngine): AttentionEngine {
  return {
    name: 'js',
    sharesOutput: () => false,
    forward: (q, k, v, out, batchShape, scale, causal) => attention(q, k, v, out, batchShape, scale, causal, gemm),
  };
}

/** One thread: the SIMD kernel on the calling thread. */
const SINGLE = new ThreadPool(1);

/**
 * The SIMD attention kernel for float32 (on `pool`'s threads while it is
 * parallel), and the JS one for float64.
 *
 * @example
 * ```ts
 * import { wasmAttention } from './attention-engine.js';
 * import { jsGemm } from './gemm.js';
 * import { WasmRuntime } from '../wasm/runtime.js';
 * wasmAttention(new WasmRuntime(), undefined, jsGemm).name; // 'wasm-simd'
 * ```
 */
export function wasmAttention(wasm: WasmRuntime, pool: ThreadPool | undefined, gemm: GemmEngine): AttentionEngine {
  return {
    name: pool && pool.size > 1 ? 'wasm-simd-threads' : 'wasm-simd',
    // Checked at each call: a disposed pool is no longer parallel.
    sharesOutput: (dtype) => pool?.parallel === true && dtype === 'float32',
    forward: (q, k, v, out, batchShape, scale, causal) => {
      if (q.data instanceof Float32Array) threadedAttention(pool ?? SINGLE, wasm, q, k, v, out, batchShape, scale, causal);
      else attention(q, k, v, out, batchShape, scale, causal, gemm);
    },
  };
}
