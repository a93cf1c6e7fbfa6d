import { sizeOf, type AttentionOperand } from '@sas/core';
import type { AttentionGradOperands } from '../fusion/attention-grad.js';
import { wasmAttentionGrads } from '../wasm/attention-grad.js';
import type { WasmRuntime } from '../wasm/runtime.js';
import { THREAD_MIN_SCORES } from './attention.js';
import type { ThreadPool } from './pool.js';
import { isShared, shareViews } from './shared.js';
import { runAttentionGradChunk, type AttentionGradTask } from './tasks.js';

/**
 * `wasmAttentionGrads` with the heads shared out across the pool (each
 * thread claims head after head and runs the blocked backward on it in its
 * own SIMD runtime), when every head has its own k and v (no grouped kv
 * heads, whose dk and dv sums several heads would write at once) and the
 * gradients are in shared memory; otherwise on this thread. Operands not yet
 * shared are copied there once. Results equal the single-thread kernel's.
 *
 * @example
 * ```ts
 * import { threadedAttentionGrads } from './attention-grad.js';
 * import { ThreadPool } from './pool.js';
 * import { WasmRuntime } from '../wasm/runtime.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [2, 2]));
 * const dv = new Float32Array(4);
 * threadedAttentionGrads(new ThreadPool(1), new WasmRuntime(), { q: x, k: x, v: x, out: x, g: x, batchShape: [], scale: 1, causal: true }, { v: dv });
 * ```
 */
export function threadedAttentionGrads(
  pool: ThreadPool,
  rt: WasmRuntime,
  ops: AttentionGradOperands,
  grads: Partial<Record<AttentionOperand, Float32Array>>,
): void {
  const heads = sizeOf(ops.batchShape);
  const ownKv = sizeOf(ops.k.batchShape) === heads && sizeOf(ops.v.batchShape) === heads;
  const parallel =
    pool.parallel && heads > 1 && ownKv && heads * ops.q.rows * ops.k.rows >= THREAD_MIN_SCORES && Object.values(grads).every((g) => isShared(g));
  if (!parallel) {
    wasmAttentionGrads(rt, ops, grads);
    return;
  }
  const share = shareViews();
  const task: AttentionGradTask = {
    kind: 'attention-grad',
    ops: { ...ops, q: share(ops.q), k: share(ops.k), v: share(ops.v), out: share(ops.out), g: share(ops.g), batchShape: [...ops.batchShape] },
    grads,
    chunks: heads,
  };
  pool.runChunks(task, (i) => runAttentionGradChunk(rt, task, i));
}
