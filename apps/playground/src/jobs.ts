/**
 * One compute job at a time on the page thread. Conformance runs, generation
 * and attention maps share the backends (tfjs has one active backend per
 * page, gpu.js one GL context per backend), so they queue; the training
 * worker runs beside them. The backend last used stays alive for the next
 * job (its compiled graphs, sessions and kernels are reused) until a job asks
 * for another one, which disposes it first.
 */
import type { Backend } from '@sas/core';
import { pageBackend } from './backends.js';

let queue: Promise<unknown> = Promise.resolve();
let live: { id: string; backend: Backend } | undefined;

/**
 * Runs `job` after every job queued before it; resolves to its result.
 *
 * @example
 * ```ts
 * const n = await exclusive(async () => 42);
 * ```
 */
export function exclusive<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * Runs `job` exclusively with the backend `id` (started on first use, kept
 * alive for the next job on the same backend).
 *
 * @example
 * ```ts
 * const out = await withBackend('ndarray', (backend) => backend.run(graph, feeds));
 * ```
 */
export function withBackend<T>(id: string, job: (backend: Backend) => Promise<T>): Promise<T> {
  return exclusive(async () => {
    if (live?.id !== id) {
      const old = live;
      live = undefined;
      await old?.backend.dispose();
      live = { id, backend: await pageBackend(id).create() };
    }
    return job(live.backend);
  });
}

/**
 * Runs `job` exclusively on a backend of its own, disposed afterwards (a
 * conformance check starts from a fresh backend, as the test suites do).
 *
 * @example
 * ```ts
 * const report = await withFreshBackend('tfjs-wasm', (backend) => runConformanceOverHttp(backend, 'fixtures/', options));
 * ```
 */
export function withFreshBackend<T>(id: string, job: (backend: Backend) => Promise<T>): Promise<T> {
  return exclusive(async () => {
    if (live?.id === id) {
      await live.backend.dispose();
      live = undefined;
    }
    const backend = await pageBackend(id).create();
    try {
      return await job(backend);
    } finally {
      await backend.dispose();
    }
  });
}
