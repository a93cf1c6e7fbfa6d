import type { BackendProvider } from '@sas/core';
import { createTfjsBackend } from './backend.js';
import { availableModes } from './env.js';
import { TFJS_MODEL_TOLERANCE, TFJS_TOLERANCE } from './tolerance.js';

/**
 * The tfjs backend as the CLI and the conformance suite see it: modes 'wasm'
 * and 'cpu' in Node ('webgl', 'webgpu' too in a browser), float32, held to
 * `TFJS_TOLERANCE` (the model fixtures: `TFJS_MODEL_TOLERANCE`).
 *
 * @example
 * ```ts
 * import { tfjsProvider } from '@sas/backend-tfjs';
 * const backend = await tfjsProvider.create({ mode: 'cpu' });
 * backend.mode; // 'cpu'
 * ```
 */
export const tfjsProvider: BackendProvider = {
  name: 'tfjs',
  modes: availableModes(),
  description: 'TensorFlow.js ops, float32 (wasm via XNNPACK, cpu; webgl/webgpu in browsers)',
  tolerance: () => TFJS_TOLERANCE,
  modelTolerance: () => TFJS_MODEL_TOLERANCE,
  create: (options) => createTfjsBackend({ mode: options?.mode }),
};
