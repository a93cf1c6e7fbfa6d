/**
 * @sas/backend-gpujs — runs @sas/core graphs as gpu.js kernels: headless GL,
 * WebAssembly or plain JS in Node, WebGL2/WebGL in browsers. Data stays on the
 * device between kernels; only requested outputs come back.
 */
export { gpujsProvider } from './provider.js';
export { createGpujsBackend, type GpujsBackend, type GpujsBackendOptions } from './backend.js';
export { gpujsModelTolerance, gpujsTolerance } from './tolerance.js';
export {
  ALL_MODES,
  BROWSER_MODES,
  NODE_MODES,
  explainHeadlessGl,
  isNodeRuntime,
  pickMode,
  probeMode,
  runtimeModes,
  type GlFactory,
  type GpujsMode,
  type ModeProbe,
} from './env.js';
export { GpuDevice, MAX_ELEMENTS, DEFAULT_MAX_KERNELS, type DeviceStats, type GpuDeviceOptions, type Launch } from './device/device.js';
export { KernelWriter, lit, type Reader } from './codegen.js';
export { GPU_KERNELS, type DeviceContext, type GpuKernel, type KernelContext } from './kernels/index.js';
export type { GpuTensor, MaskFill } from './tensor.js';
