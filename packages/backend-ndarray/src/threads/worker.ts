/**
 * The pool's worker thread (see pool.ts): one WebAssembly SIMD runtime of
 * its own, operands in shared memory. Each message is one task; when done
 * the worker counts down the pool's shared counter and wakes the caller.
 * A failure is written to the shared message area, never thrown across.
 */
import { WasmGemm } from '../wasm/engine.js';
import { WasmRuntime } from '../wasm/runtime.js';
import { workerThreads } from './node.js';
import { collectGarbage, SHARED_COLLECT_BYTES } from './shared.js';
import {
  runAtbChunk,
  runAttentionChunk,
  runAttentionGradChunk,
  runConvChunk,
  runConvWeightGradChunk,
  runGateChunk,
  runGemmChunk,
  taskBytes,
  type PoolTask,
} from './tasks.js';

const wt = workerThreads();
if (!wt?.parentPort) throw new Error('threads/worker.js must run as a worker thread');
const { sync, message, collectGarbage: collects } = wt.workerData as { sync: Int32Array; message: Uint8Array; collectGarbage: boolean };
const runtime = new WasmRuntime();

// minWork 0: the caller already decided the product is worth the SIMD engine.
const gemm = new WasmGemm(runtime, 0);

/** Bytes of shared storage the tasks since the last collection referred to. */
let heldBytes = 0;

Atomics.add(sync, 2, 1);
wt.parentPort.on('message', (task: PoolTask) => {
  try {
    // Claim chunks from the pool's shared counter (slot 3) until none is left; the caller claims too.
    const run =
      task.kind === 'attention'
        ? (i: number) => runAttentionChunk(runtime, task, i)
        : task.kind === 'attention-grad'
          ? (i: number) => runAttentionGradChunk(runtime, task, i)
          : task.kind === 'conv'
            ? (i: number) => runConvChunk(runtime, task, i)
            : task.kind === 'gemm'
              ? (i: number) => runGemmChunk(gemm, task, i)
              : task.kind === 'atb'
                ? (i: number) => runAtbChunk(gemm, task, i)
                : task.kind === 'conv-weight-grad'
                  ? (i: number) => runConvWeightGradChunk(runtime, task, i)
                  : task.kind === 'gate'
                    ? (i: number) => runGateChunk(task, i)
                    : undefined;
    if (!run) throw new Error(`unknown task kind '${(task as { kind: string }).kind}'`);
    for (let i = Atomics.add(sync, 3, 1); i < task.chunks; i = Atomics.add(sync, 3, 1)) run(i);
  } catch (e) {
    const bytes = new TextEncoder().encode(String(e instanceof Error ? (e.stack ?? e.message) : e)).subarray(0, message.length);
    message.fill(0);
    message.set(bytes);
    Atomics.store(sync, 1, 1);
  }
  Atomics.sub(sync, 0, 1);
  Atomics.notify(sync, 0);
  // Every task arrives with its own SharedArrayBuffer objects, each keeping its storage (q, k, a
  // product's C: up to hundreds of MiB) alive until this isolate collects them, and a worker allocates
  // almost nothing on its own heap, so it would never collect: with two threads every intermediate a
  // worker had seen stayed resident. A collection costs a few ms (more on a loaded machine), so it runs
  // once the tasks since the last one referred to 256 MiB, after the count-down so the caller is not kept waiting.
  // Only when the pool's owner opted in (the backend's `collectGarbage` option).
  if (!collects) return;
  heldBytes += taskBytes(task);
  if (heldBytes >= SHARED_COLLECT_BYTES) {
    heldBytes = 0;
    collectGarbage();
  }
});
