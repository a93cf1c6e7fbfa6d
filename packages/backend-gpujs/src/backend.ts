import { createKernelBackend, SasError, type Backend, type GraphNode, type Tensor } from '@sas/core';
import { GpuDevice, MAX_ELEMENTS, type DeviceStats } from './device/device.js';
import { ALL_MODES, pickMode, probeMode } from './env.js';
import { materialize } from './kernels/context.js';
import { GPU_KERNELS, type DeviceContext, type KernelContext } from './kernels/index.js';
import { fromStorage, isWholeStorage, releaseTensor, type GpuTensor } from './tensor.js';

/** Options of `createGpujsBackend`. */
export interface GpujsBackendOptions {
  /** gpu.js mode; omitted: the best mode available here (headlessgl, then webasm, then cpu in Node). */
  readonly mode?: string;
  /** Most kernels kept compiled (default `DEFAULT_MAX_KERNELS`, 256); the least recently used is destroyed first. */
  readonly maxKernels?: number;
}

/** A gpu.js backend: a core `Backend` plus resource counts. */
export interface GpujsBackend extends Backend {
  /** Kernels, storages and GL textures alive now (for leak tests). */
  stats(): DeviceStats & { readonly handles: number };
}

/**
 * Creates the gpu.js backend in `mode`, or in the best mode available when
 * none is given; `backend.mode` says which one runs. An unavailable mode is an
 * `E_BACKEND` error with the reason (no display, no `gl` build, no adapter),
 * never a quiet fall back to a slower mode.
 *
 * @example
 * ```ts
 * import { buildLayer, initParams, randomNormal } from '@sas/core';
 * import { createGpujsBackend } from '@sas/backend-gpujs';
 * const backend = await createGpujsBackend({ mode: 'webasm' });
 * const config = { kind: 'sas', batch: 1, seqLen: 4, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * const x = randomNormal([1, 4, 2, 4], 1, 'float32');
 * const out = await backend.run(buildLayer(config), { query: x, key: x, value: x, ...initParams(config, 2, 'float32') }, { outputs: ['output'] });
 * await backend.dispose();
 * ```
 */
export async function createGpujsBackend(options: GpujsBackendOptions = {}): Promise<GpujsBackend> {
  const mode = options.mode ?? (await pickMode());
  if (!(ALL_MODES as readonly string[]).includes(mode)) {
    throw new SasError('E_BACKEND', `backend 'gpujs' has no mode '${mode}' (modes: ${ALL_MODES.join(', ')})`);
  }
  const probe = await probeMode(mode);
  if (!probe.available) throw new SasError('E_BACKEND', `gpujs mode '${mode}' is unavailable: ${probe.reason}`);
  const device = new GpuDevice(mode, { maxKernels: options.maxKernels });
  const ctx: DeviceContext = { device };
  const inner = createKernelBackend<GpuTensor, KernelContext>({
    name: 'gpujs',
    mode,
    dtypes: ['float32'],
    // gpu.js addresses elements with float32 arithmetic (exact to 2^24): refuse a larger tensor
    // before anything is uploaded, rather than when its kernel launches part-way through a run.
    maxElements: MAX_ELEMENTS,
    kernels: GPU_KERNELS,
    context: (graph) => ({ device, graph }),
    upload: (t) => fromStorage(device.upload(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data)), t.shape),
    download: (h, node) => download(ctx, h, node),
    release: (h) => releaseTensor(device, h),
    dispose: () => device.dispose(),
  });
  return {
    name: inner.name,
    mode: inner.mode,
    dtypes: inner.dtypes,
    run: inner.run,
    dispose: inner.dispose,
    stats: () => ({ ...device.stats(), handles: inner.liveHandles() }),
  };
}

/** Reads a handle back: straight from its storage when the view is the whole storage, else via one copy kernel. */
async function download(ctx: DeviceContext, h: GpuTensor, node: GraphNode): Promise<Tensor> {
  const tensorOf = (data: Float32Array): Tensor => ({ dtype: node.dtype, shape: [...node.shape], data });
  if (isWholeStorage(h)) return tensorOf(await ctx.device.read(h.storage));
  const copy = materialize(ctx, h);
  try {
    return tensorOf(await ctx.device.read(copy.storage));
  } finally {
    releaseTensor(ctx.device, copy);
  }
}
