import type { Backend } from '@sas/core';

/** Named resource counts a backend exposes (handles, tensors, textures, sessions). */
export type ResourceCounts = Record<string, number>;

/**
 * Reads whatever resource counts `backend` exposes, for leak checks:
 * `liveHandles()` (kernel backends: values the executor still holds),
 * `stats()` (gpu.js: kernels, storages, GL textures), `sessionCount()`
 * (ONNX Runtime sessions), and for tfjs the engine's `numTensors` and
 * `numDataBuffers` (read from tfjs's global engine, so no tfjs import is
 * needed here). Returns an empty object for a backend that exposes nothing.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { resourceCounts } from '@sas/conformance';
 * resourceCounts(createReferenceBackend()); // { handles: 0 }
 * ```
 */
export function resourceCounts(backend: Backend): ResourceCounts {
  const b = backend as Backend & { liveHandles?: () => number; stats?: () => Record<string, unknown>; sessionCount?: () => number };
  const counts: ResourceCounts = {};
  if (typeof b.liveHandles === 'function') counts.handles = b.liveHandles();
  if (typeof b.stats === 'function') {
    for (const [k, v] of Object.entries(b.stats())) if (typeof v === 'number') counts[k] = v;
  }
  if (typeof b.sessionCount === 'function') counts.sessions = b.sessionCount();
  if (backend.name === 'tfjs') {
    // tfjs keeps one engine per process on the global object, whichever copy of tfjs-core made it.
    const engine = (globalThis as { _tfengine?: { memory(): { numTensors: number; numDataBuffers: number } } })._tfengine;
    if (engine) {
      const m = engine.memory();
      counts.tfTensors = m.numTensors;
      counts.tfDataBuffers = m.numDataBuffers;
    }
  }
  return counts;
}
