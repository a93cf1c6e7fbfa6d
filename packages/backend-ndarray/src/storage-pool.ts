import type { DType } from '@sas/core';
import type { FloatData } from './handle.js';

/**
 * Storage a backend recycles from one run to the next. A training loop
 * runs the same graph again and again, so each run allocates the same
 * arrays its predecessor dropped; taking them back saves the allocator's
 * zeroing, the garbage collections that external memory triggers, and the
 * first-touch page faults of fresh memory (~60 µs a 4 KiB page on the CI
 * VM, 70 ms for a 4 MiB activation). Only whole runs are recycled: what a
 * run allocated is handed back when the run is over, except the arrays it
 * returned to the caller (and views of them), so no value still in use is
 * ever reused; intermediates of a run are not reused within it (a deferred
 * node may still read an input the executor has released).
 *
 * `record` is active only during a run's synchronous kernel loop (set by
 * `activate`), so two backends never record each other's arrays.
 */
export class StoragePool {
  private readonly free = new Map<string, FloatData[]>();
  private freeBytes = 0;
  private recorded: FloatData[] = [];

  /** `maxBytes`: most storage kept between runs (0: nothing is recycled). */
  constructor(readonly maxBytes: number) {}

  /**
   * Storage for `n` values: a recycled array of the kind `make` builds,
   * zero-filled unless the caller `overwrites` every value (zeroing a 4 MiB
   * output that a kernel then writes whole costs as much as a cheap kernel),
   * or `make()`; recorded for this run.
   */
  take(key: string, n: number, make: () => FloatData, overwrites = false): FloatData {
    const list = this.free.get(`${key}:${n}`);
    const reused = list?.pop();
    let data: FloatData;
    if (reused) {
      this.freeBytes -= reused.byteLength;
      if (!overwrites) reused.fill(0);
      data = reused;
    } else data = make();
    this.recorded.push(data);
    return data;
  }

  /**
   * Ends a run: every array recorded since the last `finish` goes back to
   * the free lists unless `kept` (returned to the caller), up to `maxBytes`.
   */
  finish(kept: (data: FloatData) => boolean): void {
    const recorded = this.recorded;
    this.recorded = [];
    for (const data of recorded) {
      if (kept(data) || this.freeBytes + data.byteLength > this.maxBytes) continue;
      const key = `${keyOf(data)}:${data.length}`;
      const list = this.free.get(key);
      if (list) list.push(data);
      else this.free.set(key, [data]);
      this.freeBytes += data.byteLength;
    }
  }

  /** Bytes held for reuse. */
  get heldBytes(): number {
    return this.freeBytes;
  }

  /** Drops everything held. */
  clear(): void {
    this.free.clear();
    this.freeBytes = 0;
    this.recorded = [];
  }
}

/** The free-list key of an array: its dtype and whether it lives in shared memory. */
export function keyOf(data: FloatData): string {
  const dtype: DType = data instanceof Float64Array ? 'float64' : 'float32';
  return `${dtype}:${typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer ? 'shared' : 'local'}`;
}

/** The pool recording the current run's allocations, if any (set for the duration of a synchronous kernel loop). */
let active: StoragePool | undefined;

/** Makes `pool` (or nothing) the one `allocData` takes storage from. */
export function activate(pool: StoragePool | undefined): void {
  active = pool;
}

/** The pool `allocData` takes from now. */
export function activePool(): StoragePool | undefined {
  return active;
}
