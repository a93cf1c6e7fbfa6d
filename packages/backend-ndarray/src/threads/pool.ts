import { SasError } from '@sas/core';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from './node.js';
import { countCollectingPool, countParallelPool } from './shared.js';

/** A unit of work a worker runs (see worker.ts for the handlers). */
export type ThreadTask = { readonly kind: string; readonly [key: string]: unknown };

/** Workers alive in this process (all pools), for tests and leak checks. */
let liveWorkers = 0;

/**
 * Number of pool workers alive in this process (started and not yet exited).
 *
 * @example
 * ```ts
 * import { liveWorkerCount } from './pool.js';
 * liveWorkerCount(); // 0 before any threaded work
 * ```
 */
export function liveWorkerCount(): number {
  return liveWorkers;
}

/** Where the compiled worker lives: next to this file in dist/, or dist/'s twin when running from src/ (vitest). */
function workerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(here.replace(/\/src\/threads\/pool\.ts$/, '/dist/threads/worker.js'));
  return new URL('./worker.js', here);
}

/** How long a worker may take to load before `run` gives up. */
const STARTUP_MS = 20_000;

/** Bytes of the shared error-message area. */
const MESSAGE_BYTES = 4096;

/**
 * A fork-join pool of `size − 1` worker threads plus the calling thread.
 * `run(tasks)` hands task i ≥ 1 to worker i − 1, runs task 0 itself, then
 * blocks (`Atomics.wait`) until every worker has counted down a shared
 * counter. Kernels are synchronous, so blocking is what keeps them so; only
 * Node's main thread and workers may block, hence Node only. Operands are
 * SharedArrayBuffer-backed typed arrays (posted by reference); workers are
 * started lazily on the first `run` and terminated by `dispose`. Kernels use
 * `runChunks`, where every thread claims chunks of one task until none is
 * left. While a pool of size > 1 is alive, large float32 values are
 * allocated shared (see shared.ts), so operands rarely need a copy.
 *
 * @example
 * ```ts
 * import { ThreadPool } from './pool.js';
 * const pool = new ThreadPool(2);
 * pool.size; // 2 (this thread and one worker)
 * await pool.dispose();
 * ```
 */
export class ThreadPool {
  private workers: Worker[] = [];
  /** [0]: workers still running the current batch; [1]: 1 when one failed; [2]: workers that finished loading; [3]: next unclaimed chunk. */
  private readonly sync = new Int32Array(new SharedArrayBuffer(16));
  private readonly message = new Uint8Array(new SharedArrayBuffer(MESSAGE_BYTES));
  private disposed = false;
  /** Whether this pool is counted in `countParallelPool` (size > 1, not yet disposed). */
  private counted: boolean;

  /**
   * `collectGarbage`: this thread and the workers run a full collection after
   * every 256 MiB of shared storage (shared.ts says why: V8 does not count it
   * towards its own heuristics). Off by default: it reaches the process-wide
   * `gc` through V8's expose-gc flag, which a library must not do unasked.
   */
  constructor(
    readonly size: number,
    private readonly collectGarbage = false,
  ) {
    // While a parallel pool is alive, large float32 values are allocated shared (see shared.ts).
    this.counted = size > 1;
    if (this.counted) {
      countParallelPool(1);
      if (collectGarbage) countCollectingPool(1);
    }
  }

  /** True when `run` would really use more than one thread. */
  get parallel(): boolean {
    return this.size > 1 && !this.disposed;
  }

  private start(): void {
    const wt = workerThreads();
    if (!wt) throw new SasError('E_BACKEND', "backend 'ndarray': threads > 1 needs node:worker_threads");
    while (this.workers.length < this.size - 1) {
      // execArgv []: a test runner's flags (e.g. --conditions for TypeScript sources) must not reach the compiled worker.
      const w = new wt.Worker(workerUrl(), { workerData: { sync: this.sync, message: this.message, collectGarbage: this.collectGarbage }, execArgv: [] });
      liveWorkers++;
      w.once('exit', () => liveWorkers--);
      // Idle workers must not keep the process alive.
      w.unref();
      this.workers.push(w);
    }
  }

  /** Runs `tasks[0]` here with `local` and the rest on workers; returns when all are done. */
  run(tasks: readonly ThreadTask[], local: (task: ThreadTask) => void): void {
    if (this.disposed) throw new SasError('E_BACKEND', "backend 'ndarray': its thread pool was disposed");
    if (tasks.length > this.size) throw new SasError('E_BACKEND', `thread pool: ${tasks.length} tasks for ${this.size} threads`);
    const remote = tasks.length - 1;
    if (remote > 0) {
      this.start();
      Atomics.store(this.sync, 1, 0);
      Atomics.store(this.sync, 0, remote);
      for (let i = 1; i < tasks.length; i++) this.workers[i - 1].postMessage(tasks[i]);
    }
    let localError: unknown;
    try {
      if (tasks.length > 0) local(tasks[0]);
    } catch (e) {
      localError = e;
    }
    // Wait even after a local failure: workers still write into the operands.
    // A worker that cannot load would never count down, and its error event cannot arrive while
    // this thread blocks: give up when some worker has not even loaded after STARTUP_MS.
    const t0 = Date.now();
    for (let left = Atomics.load(this.sync, 0); left > 0; left = Atomics.load(this.sync, 0)) {
      Atomics.wait(this.sync, 0, left, 250);
      if (Atomics.load(this.sync, 2) < this.workers.length && Date.now() - t0 > STARTUP_MS) {
        this.disposed = true;
        void this.dispose();
        throw new SasError('E_BACKEND', `backend 'ndarray': a worker thread did not start within ${STARTUP_MS / 1000} s (is ${workerUrl().pathname} built?)`);
      }
    }
    if (localError !== undefined) throw localError;
    if (Atomics.load(this.sync, 1) !== 0) {
      const text = new TextDecoder().decode(this.message.slice()).replace(/\0+$/, '');
      throw new SasError('E_BACKEND', `backend 'ndarray': a worker thread failed: ${text}`);
    }
  }

  /**
   * Runs chunks `0 .. task.chunks − 1` of `task` on every thread: each (this
   * one with `local`, workers with the handler for `task.kind`) claims the
   * next unclaimed chunk from a shared counter until none is left. Claiming
   * instead of fixed shares matters on a loaded machine: when the OS does not
   * schedule a worker, this thread does its chunks instead of waiting, so
   * two threads cost about one thread's time at worst rather than double.
   */
  runChunks(task: { readonly kind: string; readonly chunks: number }, local: (chunk: number) => void): void {
    Atomics.store(this.sync, 3, 0);
    const threads = Math.max(1, Math.min(this.size, task.chunks));
    const claim = () => {
      for (let i = Atomics.add(this.sync, 3, 1); i < task.chunks; i = Atomics.add(this.sync, 3, 1)) local(i);
    };
    this.run(
      Array.from({ length: threads }, () => task as unknown as ThreadTask),
      claim,
    );
  }

  /** Terminates the workers (awaits their exit). The pool is unusable afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.counted) {
      countParallelPool(-1);
      if (this.collectGarbage) countCollectingPool(-1);
    }
    this.counted = false;
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

/**
 * Splits `n` items into at most `parts` contiguous ranges of nearly equal
 * size, multiples of `align` except the last.
 *
 * @example
 * ```ts
 * import { splitRange } from './pool.js';
 * splitRange(10, 2, 1); // [[0, 5], [5, 10]]
 * ```
 */
export function splitRange(n: number, parts: number, align = 1): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const step = Math.ceil(n / parts / align) * align;
  for (let lo = 0; lo < n; lo += step) out.push([lo, Math.min(n, lo + step)]);
  return out;
}

// The shared-memory helpers moved to shared.ts; kept importable from here.
export { shared, sharedFloat32 } from './shared.js';
