import { SasError } from '@sas/core';
import { GPU, type IKernelRunShortcut, type Texture } from 'gpu.js';
import { isTexture, type BufferResult, type Storage, type StorageData } from './storage.js';

/**
 * Largest tensor a kernel may touch. gpu.js kernels address elements with
 * float32 arithmetic (GLSL, wasm f32), which counts exactly only up to 2^24.
 */
export const MAX_ELEMENTS = 2 ** 24;

/**
 * Kernels a device keeps compiled by default. Shapes are baked into kernel
 * sources, so every new shape compiles new kernels; a layer's forward and
 * backward passes need ~50–60, so 256 holds several shapes' working sets while
 * bounding what a program that sees ever new shapes can accumulate (in webasm
 * each kernel holds its own WebAssembly.Memory, and unbounded caches ran out
 * after ~2 000 fuzzed layer shapes).
 */
export const DEFAULT_MAX_KERNELS = 256;

/** Options of `GpuDevice`. */
export interface GpuDeviceOptions {
  /** Most kernels kept compiled (default `DEFAULT_MAX_KERNELS`); the least recently used is destroyed first. */
  readonly maxKernels?: number;
}

/** A cached kernel and the storages it produced that are still alive. */
interface CachedKernel {
  readonly key: string;
  readonly kernel: IKernelRunShortcut;
  /** Live storages this kernel made: in GL modes they are its textures, which destroying the kernel would delete. */
  outputs: number;
  /** Out of the cache; destroyed once `outputs` drops to 0. */
  evicted: boolean;
}

/** One kernel launch: generated source, output length, arguments (storages or uniform floats). */
export interface Launch {
  /** Kernel source (`function (...) { ... }`); it is also the cache key, since shapes are baked in. */
  readonly source: string;
  /** Output length (the kernel writes a flat 1-D float32 output). */
  readonly size: number;
  readonly args: readonly (Storage | number)[];
  /** Short op name for error messages. */
  readonly op: string;
}

/** Counts for the resource-hygiene test and for users chasing leaks. */
export interface DeviceStats {
  /**
   * Kernels compiled and not yet destroyed: those cached (at most `maxKernels`)
   * plus evicted ones whose outputs are still alive.
   */
  readonly kernels: number;
  /** Kernel objects gpu.js itself holds (includes any it switched to internally). */
  readonly gpujsKernels: number;
  /** Storages (textures or arrays) alive: held by tensor handles or the device. */
  readonly storages: number;
  /**
   * GL textures alive in the context (created and not yet deleted, counted at
   * the context itself: tensor storages plus each kernel's own output texture); 0 outside GL modes.
   */
  readonly glTextures: number;
}

/**
 * A gpu.js instance in one mode plus everything this backend keeps on it:
 * a bounded (least recently used) kernel cache keyed by generated source, and
 * reference-counted storages.
 * Data stays where the mode computes (textures in GL modes) from upload to
 * download; only `read` brings it back.
 *
 * @example
 * ```ts
 * import { GpuDevice } from '@sas/backend-gpujs';
 * const device = new GpuDevice('cpu');
 * const x = device.upload(new Float32Array([1, 2, 3]));
 * const y = device.launch({ op: 'Double', source: 'function (a) { return a[this.thread.x] * 2.0; }', size: 3, args: [x] });
 * device.read(y); // Float32Array [2, 4, 6]
 * device.release(x); device.release(y);
 * await device.dispose();
 * ```
 */
export class GpuDevice {
  readonly gpu: GPU;
  /** True in the GL modes, where storages are textures. */
  readonly gl: boolean;
  /** True in webgpu, where kernels resolve asynchronously: storages hold promises, chained kernel to kernel. */
  readonly async: boolean;
  /** Compiled kernels by key, least recently used first (a Map keeps insertion order). */
  private readonly cache = new Map<string, CachedKernel>();
  /** Evicted kernels waiting for their last output storage to be released. */
  private readonly retiring = new Set<CachedKernel>();
  /** Which kernel made each live storage, so the kernel outlives its outputs. */
  private readonly origin = new Map<Storage, CachedKernel>();
  /** webgpu: frees of GPU buffers still pending; a kernel is destroyed only after them. */
  private pendingFrees: Promise<unknown> = Promise.resolve();
  readonly maxKernels: number;
  private liveStorages = 0;
  private empty: Storage | null = null;
  private readonly glLive = new Set<unknown>();
  private watched: unknown = null;
  private disposed = false;

  constructor(
    readonly mode: string,
    options: GpuDeviceOptions = {},
  ) {
    const maxKernels = options.maxKernels ?? DEFAULT_MAX_KERNELS;
    if (!Number.isInteger(maxKernels) || maxKernels < 1) {
      throw new SasError('E_BACKEND', `backend 'gpujs': option maxKernels must be an integer ≥ 1, got ${String(maxKernels)}`);
    }
    this.maxKernels = maxKernels;
    try {
      this.gpu = new GPU({ mode: mode as never });
    } catch (e) {
      throw new SasError('E_BACKEND', `gpu.js mode '${mode}' failed to start: ${(e as Error).message}`);
    }
    this.async = mode === 'webgpu';
    this.gl = !this.async && mode !== 'cpu' && mode !== 'webasm';
  }

  /** Runs a kernel (compiling it on first use) and returns its output as a new storage (refs = 1). */
  launch(l: Launch): Storage {
    this.checkLive();
    checkSize(l.op, l.size);
    if (l.size === 0) return this.own(null, 0);
    const entry = this.kernel(l.source, l.size, l.op);
    const kernel = entry.kernel;
    const args = l.args.map((a) => (typeof a === 'number' ? a : this.argData(a)));
    const failed = (e: unknown) =>
      new SasError('E_BACKEND', `gpujs (${this.mode}): kernel for ${l.op} failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`);
    if (this.async) {
      // webgpu: each kernel waits for its inputs' buffers, then submits; the GPU queue keeps order.
      const out = Promise.all(args)
        .then((values) => (kernel(...(values as never[])) as unknown as Promise<BufferResult>).then((r) => (this.checkNoFallback(kernel, l.op), r)))
        .catch((e: unknown) => {
          throw e instanceof SasError ? e : failed(e);
        });
      out.catch(() => {}); // a failure surfaces where the value is read, not as an unhandled rejection
      for (const a of l.args) if (typeof a !== 'number') (a.readers ??= []).push(out);
      return this.made(entry, this.own(out, l.size));
    }
    let out: unknown;
    try {
      out = kernel(...(args as never[]));
    } catch (e) {
      throw failed(e);
    }
    this.checkNoFallback(kernel, l.op);
    return this.made(entry, this.own(out as Texture | Float32Array, l.size));
  }

  /** Puts host data on the device (one upload kernel per length in GL modes). */
  upload(data: Float32Array): Storage {
    this.checkLive();
    checkSize('upload', data.length);
    if (data.length === 0) return this.own(null, 0);
    if (!this.gl && !this.async) return this.own(Float32Array.from(data), data.length);
    // webgpu reads its arguments a microtask later: hand it a copy the caller cannot change meanwhile.
    const source = this.async ? Float32Array.from(data) : data;
    return this.launch({ op: 'upload', source: 'function (a) { return a[this.thread.x]; }', size: data.length, args: [this.own(source, data.length, false)] });
  }

  /** Copies a storage back to the host (a promise in webgpu, where readback is asynchronous). */
  read(s: Storage): Float32Array | Promise<Float32Array> {
    this.checkLive();
    if (s.size === 0) return new Float32Array(0);
    if (s.data === null) throw new Error('internal: read of a freed storage');
    const exact = (values: Float32Array | number[]) => {
      const f = values instanceof Float32Array ? values : Float32Array.from(values);
      return f.length === s.size ? f : f.slice(0, s.size);
    };
    if (s.data instanceof Promise) return s.data.then((b) => b.toArray()).then(exact);
    if (!isTexture(s.data)) return Float32Array.from(s.data);
    return exact(s.data.toArray() as Float32Array);
  }

  /** Drops one reference; the last one frees the texture. */
  release(s: Storage): void {
    if (s.refs <= 0) throw new Error('internal: release of a freed storage');
    if (--s.refs > 0) return;
    if (isTexture(s.data) && !this.disposed) s.data.delete();
    if (s.data instanceof Promise) {
      // Free the buffer only once every launch reading it has been submitted (the queue keeps it alive after that).
      const data = s.data;
      const freed = Promise.allSettled(s.readers ?? []).then(() =>
        data.then(
          (b) => b.delete(),
          () => {},
        ),
      );
      this.pendingFrees = Promise.allSettled([this.pendingFrees, freed]);
      s.readers = undefined;
    }
    s.data = null;
    this.liveStorages--;
    // The texture above was freed through its kernel (gpu.js deletes a kernel's textures via the kernel),
    // so only now may an evicted kernel whose last output this was be destroyed.
    const entry = this.origin.get(s);
    if (entry) {
      this.origin.delete(s);
      entry.outputs--;
      if (entry.evicted && entry.outputs === 0) this.destroyKernel(entry);
    }
  }

  /** Live counts, for tests and leak hunting. */
  stats(): DeviceStats {
    const listed = (this.gpu as unknown as { kernels?: unknown[] }).kernels ?? [];
    return { kernels: this.cache.size + this.retiring.size, gpujsKernels: listed.length, storages: this.liveStorages, glTextures: this.glLive.size };
  }

  /** Destroys every kernel, then the gpu.js instance (and its GL context). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    if (this.empty) this.release(this.empty);
    this.empty = null;
    this.disposed = true;
    await this.pendingFrees;
    await Promise.all([...this.cache.values(), ...this.retiring].map((e) => e.kernel.destroy())); // webgpu kernels release asynchronously
    this.cache.clear();
    this.retiring.clear();
    this.origin.clear();
    await this.gpu.destroy();
    // GL and wasm kernels unlist themselves from gpu.kernels when destroyed; gpu.js's cpu
    // kernels do not. The instance is dead either way, so drop its list.
    const listed = (this.gpu as unknown as { kernels?: unknown[] }).kernels;
    if (listed) listed.length = 0;
    // Destroying the GL context frees every texture in it, deleted one by one or not.
    this.glLive.clear();
  }

  /** The cached kernel for (source, size), compiled on a miss; marks it most recently used and evicts past `maxKernels`. */
  private kernel(source: string, size: number, op: string): CachedKernel {
    const key = `${size}|${source}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    let k: IKernelRunShortcut;
    try {
      k = this.gpu.createKernel(source, { output: [size], pipeline: true, immutable: true, precision: 'single', tactic: 'precision' } as never);
    } catch (e) {
      throw new SasError('E_BACKEND', `gpujs (${this.mode}): cannot compile the ${op} kernel: ${(e as Error).message.split('\n')[0]}`);
    }
    const entry: CachedKernel = { key, kernel: k, outputs: 0, evicted: false };
    this.cache.set(key, entry);
    this.watchContext();
    this.evict();
    return entry;
  }

  /**
   * Evicts least recently used kernels past `maxKernels` (the newest, just
   * added last, is never among them). A kernel whose outputs are still alive
   * (a tensor of the current run, or one the caller holds) is destroyed only
   * when the last of them is released: in GL modes destroying a kernel deletes
   * every texture it made and its framebuffers, which those storages still read.
   */
  private evict(): void {
    for (const oldest of this.cache.values()) {
      if (this.cache.size <= this.maxKernels) return;
      this.cache.delete(oldest.key);
      oldest.evicted = true;
      if (oldest.outputs === 0) this.destroyKernel(oldest);
      else this.retiring.add(oldest);
    }
  }

  private destroyKernel(entry: CachedKernel): void {
    this.retiring.delete(entry);
    const destroy = () => {
      const inner = entry.kernel.kernel as unknown;
      void entry.kernel.destroy();
      // GL and wasm kernels unlist themselves from gpu.kernels when destroyed; gpu.js's cpu kernels
      // do not, and that list would then keep every evicted kernel reachable.
      const listed = (this.gpu as unknown as { kernels?: unknown[] }).kernels;
      const i = listed ? listed.indexOf(inner) : -1;
      if (i >= 0) listed!.splice(i, 1);
    };
    // webgpu: buffers this kernel made may still be waiting to be freed; destroy after them.
    if (this.async) void this.pendingFrees.then(destroy);
    else destroy();
  }

  /** Records that `entry` made storage `s` (refs = 1), so the kernel is not destroyed while `s` lives. */
  private made(entry: CachedKernel, s: Storage): Storage {
    if (s.data !== null) {
      entry.outputs++;
      this.origin.set(s, entry);
    }
    return s;
  }

  /**
   * Counts GL textures at the context: gpu.js makes some through its kernels'
   * caches and some straight from the context (output textures it replaces
   * when a clone is still alive), so only the context sees them all.
   */
  private watchContext(): void {
    const gl = (this.gpu as unknown as { context?: { createTexture(): unknown; deleteTexture(t: unknown): void } }).context;
    if (!this.gl || !gl || this.watched === gl) return;
    this.watched = gl;
    const create = gl.createTexture.bind(gl);
    const remove = gl.deleteTexture.bind(gl);
    gl.createTexture = () => {
      const t = create();
      this.glLive.add(t);
      return t;
    };
    gl.deleteTexture = (t: unknown) => {
      this.glLive.delete(t);
      remove(t);
    };
  }

  /** gpu.js quietly swaps in its cpu kernel when a backend declines one; we refuse to be slower in secret. */
  private checkNoFallback(k: IKernelRunShortcut, op: string): void {
    const inner = k.kernel as unknown as { constructor: unknown; fallbackReason?: string | null };
    if (inner.constructor !== (this.gpu as unknown as { Kernel: unknown }).Kernel) {
      throw new SasError(
        'E_BACKEND',
        `gpujs (${this.mode}): gpu.js fell back to its cpu kernel for ${op}${inner.fallbackReason ? ` (${inner.fallbackReason})` : ''}`,
      );
    }
  }

  /** Zero-size storages have no data; kernels that never read them still need an argument of the right kind. */
  private argData(s: Storage): StorageData {
    if (s.data !== null) return s.data;
    if (s.size !== 0) throw new Error('internal: kernel argument was freed');
    if (!this.empty) this.empty = this.upload(new Float32Array(1));
    return this.empty.data!;
  }

  private own(data: StorageData | null, size: number, counted = true): Storage {
    if (counted) this.liveStorages++;
    return { data, size, refs: counted ? 1 : 0 };
  }

  private checkLive(): void {
    if (this.disposed) throw new SasError('E_BACKEND', `gpujs (${this.mode}): the backend was disposed`);
  }
}

function checkSize(op: string, size: number): void {
  if (size > MAX_ELEMENTS) {
    throw new SasError('E_BACKEND', `gpujs: ${op} needs ${size} elements, more than the 2^24 that gpu.js's float32 index arithmetic addresses exactly`);
  }
}
