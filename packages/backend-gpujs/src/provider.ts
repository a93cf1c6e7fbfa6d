import type { BackendProvider } from '@sas/core';
import { createGpujsBackend } from './backend.js';
import { runtimeModes } from './env.js';
import { gpujsModelTolerance, gpujsTolerance } from './tolerance.js';

/**
 * The gpu.js backend as the CLI and the conformance suite see it. Modes, best
 * first: headlessgl, webasm, cpu in Node; webgl2, webgl, webgpu, webasm, cpu
 * in a browser. `create()` without a mode picks the best one that runs here.
 *
 * @example
 * ```ts
 * import { gpujsProvider } from '@sas/backend-gpujs';
 * const backend = await gpujsProvider.create({ mode: 'cpu' });
 * backend.mode; // 'cpu'
 * await backend.dispose();
 * ```
 */
export const gpujsProvider: BackendProvider = {
  name: 'gpujs',
  get modes() {
    return runtimeModes();
  },
  description: 'gpu.js kernels: headless GL (under Xvfb), WebAssembly or JS in Node; WebGL2/WebGL/WebGPU in browsers',
  tolerance: gpujsTolerance,
  modelTolerance: gpujsModelTolerance,
  create: (options) => createGpujsBackend({ mode: options?.mode }),
};
