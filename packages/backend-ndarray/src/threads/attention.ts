import type { RowView } from '../lib/rows.js';
import { wasmAttention } from '../wasm/attention.js';
import type { WasmRuntime } from '../wasm/runtime.js';
import type { ThreadPool } from './pool.js';
import { isShared, shareViews } from './shared.js';
import { runAttentionChunk, type AttentionTask } from './tasks.js';

/** Attention below this many score entries (heads × Tq × Tk) stays on one thread. */
export const THREAD_MIN_SCORES = 1 << 18;

/**
 * `wasmAttention` with the heads (batch entries of `out`) shared out across
 * the pool: each thread claims head after head (`ThreadPool.runChunks`) and
 * runs the whole blocked kernel on it in its own SIMD runtime, reading q, k, v and writing `out` in
 * shared memory. `out` must already be shared when the pool is parallel
 * (the caller allocates it so); q, k and v are copied there if they are not,
 * which with a live parallel pool happens only to feeds (large values are
 * allocated shared, see shared.ts): a v read straight from the `value` feed.
 * Heads write disjoint rows, so results equal the single-thread kernel's.
 *
 * @example
 * ```ts
 * import { threadedAttention } from './attention.js';
 * import { ThreadPool } from './pool.js';
 * import { WasmRuntime } from '../wasm/runtime.js';
 * import { rowView } from '../lib/rows.js';
 * import { wrap } from '../handle.js';
 * const x = rowView(wrap(Float32Array.of(1, 0, 0, 1), [2, 2]));
 * const out = rowView(wrap(new Float32Array(4), [2, 2]));
 * threadedAttention(new ThreadPool(1), new WasmRuntime(), x, x, x, out, [], 1, true); // out row 0 = [1, 0]
 * ```
 */
export function threadedAttention(
  pool: ThreadPool,
  rt: WasmRuntime,
  q: RowView,
  k: RowView,
  v: RowView,
  out: RowView,
  batchShape: readonly number[],
  scale: number,
  causal: boolean,
): void {
  const heads = batchShape.reduce((a, b) => a * b, 1);
  const parallel = pool.parallel && heads > 1 && heads * q.rows * k.rows >= THREAD_MIN_SCORES && isShared(out.data);
  if (!parallel) {
    wasmAttention(rt, q, k, v, out, batchShape, scale, causal);
    return;
  }
  const share = shareViews();
  const [sq, sk, sv] = [share(q), share(k), share(v)];
  const task: AttentionTask = { kind: 'attention', q: sq, k: sk, v: sv, out: { ...out }, batchShape: [...batchShape], scale, causal, chunks: heads };
  pool.runChunks(task, (i) => runAttentionChunk(rt, task, i));
}
