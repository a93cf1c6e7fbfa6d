/**
 * The pool's worker thread (see pool.ts): one WebAssembly SIMD runtime of
 * its own, operands in shared memory. Each message is one task; when done
 * the worker counts down the pool's shared counter and wakes the caller.
 * A failure is written to the shared message area, never thrown across.
 */
import type { RowView } from '../fusion/rows.js';
import type { Epilogue } from '../lib/epilogue.js';
import { WasmGemm } from '../wasm/engine.js';
import { wasmAttention } from '../wasm/attention.js';
import { WasmRuntime } from '../wasm/runtime.js';
import { workerThreads } from './node.js';
import { collectGarbage } from './shared.js';

const wt = workerThreads();
if (!wt || !wt.parentPort) throw new Error('threads/worker.js must run as a worker thread');
const { sync, message } = wt.workerData as { sync: Int32Array; message: Uint8Array };
const runtime = new WasmRuntime();

// minWork 0: the caller already decided the product is worth the SIMD engine.
const gemm = new WasmGemm(runtime, 0);

interface AttentionTask {
  kind: 'attention';
  q: RowView;
  k: RowView;
  v: RowView;
  out: RowView;
  batchShape: number[];
  scale: number;
  causal: boolean;
  range: [number, number];
}
interface GemmTask {
  kind: 'gemm';
  A: Float32Array;
  aOff: number;
  lda: number;
  B: Float32Array;
  bOff: number;
  ldb: number;
  C: Float32Array;
  cOff: number;
  ldc: number;
  M: number;
  N: number;
  K: number;
  /** Shifted to this task's rows; its operands are shared (see threads/gemm.ts). */
  epilogue?: Epilogue;
}

Atomics.add(sync, 2, 1);
wt.parentPort.on('message', (task: AttentionTask | GemmTask) => {
  try {
    if (task.kind === 'attention') wasmAttention(runtime, task.q, task.k, task.v, task.out, task.batchShape, task.scale, task.causal, task.range);
    else if (task.kind === 'gemm') gemm.abt(task.A, task.aOff, task.lda, task.B, task.bOff, task.ldb, task.C, task.cOff, task.ldc, task.M, task.N, task.K, task.epilogue);
    else throw new Error(`unknown task kind '${(task as { kind: string }).kind}'`);
  } catch (e) {
    const bytes = new TextEncoder().encode(String(e instanceof Error ? e.stack ?? e.message : e)).subarray(0, message.length);
    message.fill(0);
    message.set(bytes);
    Atomics.store(sync, 1, 1);
  }
  Atomics.sub(sync, 0, 1);
  Atomics.notify(sync, 0);
  // Every task arrives with its own SharedArrayBuffer objects, each keeping its storage (q, k, a
  // product's C: up to hundreds of MiB) alive until this isolate collects them, and a worker allocates
  // almost nothing on its own heap, so it would never collect: with two threads every intermediate a
  // worker had seen stayed resident. Collected after the count-down, so the caller is not kept waiting.
  collectGarbage();
});
