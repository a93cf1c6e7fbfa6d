import { describe, expect, it, vi } from 'vitest';
import type { IKernelRunShortcut } from 'gpu.js';
import { modeSkipReason, TEST_MODES } from '../test/harness.js';
import { DEFAULT_MAX_KERNELS, GpuDevice } from './device.js';

// The kernel cache is a bounded LRU: shapes are baked into kernel sources, so
// a program that keeps seeing new shapes must not keep every kernel it ever
// compiled (in webasm each holds its own WebAssembly.Memory).

/** A kernel source distinct per `c`: y = x + c. */
const addSource = (c: number) => `function (a) { return a[this.thread.x] + ${c.toFixed(1)}; }`;

/** Spies on every kernel the device compiles, counting destroy() calls. */
function watchKernels(device: GpuDevice): { destroyed: () => number; compiled: () => number } {
  const made: IKernelRunShortcut[] = [];
  const destroy = vi.fn();
  const create = device.gpu.createKernel.bind(device.gpu);
  vi.spyOn(device.gpu, 'createKernel').mockImplementation(((...args: Parameters<typeof create>) => {
    const k = create(...args);
    const original = k.destroy.bind(k);
    k.destroy = ((...a: unknown[]) => {
      destroy();
      return original(...(a as []));
    }) as typeof k.destroy;
    made.push(k);
    return k;
  }) as typeof create);
  return { destroyed: () => destroy.mock.calls.length, compiled: () => made.length };
}

for (const mode of TEST_MODES) {
  const reason = await modeSkipReason(mode);
  describe(`gpujs ${mode}: bounded kernel cache`, () => {
    if (reason) {
      it.skip(`kernel cache (skipped: ${reason})`, () => {});
      return;
    }

    it('holds at most maxKernels kernels and destroys the ones it evicts', async () => {
      const device = new GpuDevice(mode, { maxKernels: 4 });
      const watch = watchKernels(device);
      const x = device.upload(new Float32Array([1, 2, 3]));
      const afterUpload = device.stats();
      const sizes: number[] = [];
      for (let c = 1; c <= 12; c++) {
        const y = device.launch({ op: 'Add', source: addSource(c), size: 3, args: [x] });
        expect(Array.from(await device.read(y))).toEqual([1 + c, 2 + c, 3 + c]);
        device.release(y);
        sizes.push(device.stats().kernels);
      }
      const stats = device.stats();
      // In GL modes `x` is the output texture of an upload kernel: evicted, that kernel lives on
      // (destroying it would delete x's texture) until x is released.
      const owning = device.gl ? 1 : 0;
      expect(Math.max(...sizes)).toBe(4 + owning);
      expect(stats.kernels).toBe(4 + owning);
      // 12 compiled (13 with the upload kernel), 4 cached: every other one without live outputs destroyed,
      // and gpu.js's own list of kernels shrinks with them (its cpu kernels do not unlist themselves).
      expect(watch.compiled()).toBe(12 + owning);
      expect(watch.destroyed()).toBe(8);
      expect(stats.gpujsKernels).toBe(4 + owning);
      // Destroyed kernels took their textures with them: the count does not grow with the kernels compiled.
      if (device.gl) expect(stats.glTextures).toBeLessThanOrEqual(afterUpload.glTextures + 4);
      device.release(x);
      expect(device.stats().kernels).toBe(4);
      expect(watch.destroyed()).toBe(8 + owning);
      await device.dispose();
      expect(watch.destroyed()).toBe(watch.compiled());
      expect(device.stats()).toMatchObject({ kernels: 0, gpujsKernels: 0, storages: 0, glTextures: 0 });
    });

    it('evicts the least recently used kernel, not the one just used', async () => {
      const device = new GpuDevice(mode, { maxKernels: 2 });
      const watch = watchKernels(device);
      const x = device.upload(new Float32Array([0, 0]));
      const run = (c: number) => device.release(device.launch({ op: 'Add', source: addSource(c), size: 2, args: [x] }));
      run(1);
      run(2); // cache: [1, 2] (a GL upload kernel was evicted first)
      const compiled = watch.compiled();
      run(1); // 1 becomes the most recently used: [2, 1]
      run(3); // evicts 2, not 1: [1, 3]
      expect(watch.compiled()).toBe(compiled + 1);
      run(1); // still cached (first-in-first-out would have evicted it)
      expect(watch.compiled()).toBe(compiled + 1);
      run(2); // evicted: compiled again
      expect(watch.compiled()).toBe(compiled + 2);
      device.release(x);
      await device.dispose();
    });

    it('keeps an evicted kernel alive until its last output is released, and the output stays readable', async () => {
      const device = new GpuDevice(mode, { maxKernels: 1 });
      const watch = watchKernels(device);
      const x = device.upload(new Float32Array([1, 2]));
      const held = device.launch({ op: 'Add', source: addSource(10), size: 2, args: [x] });
      const destroyedBefore = watch.destroyed();
      // Evict the kernel that made `held` by compiling others.
      for (let c = 20; c < 23; c++) device.release(device.launch({ op: 'Add', source: addSource(c), size: 2, args: [held] }));
      const owning = device.gl ? 1 : 0; // GL: the evicted upload kernel still owns x's texture
      expect(device.stats().kernels).toBe(2 + owning); // one cached, one evicted but still owning `held`
      expect(Array.from(await device.read(held))).toEqual([11, 12]);
      const beforeRelease = watch.destroyed();
      device.release(held);
      expect(watch.destroyed()).toBe(beforeRelease + 1);
      expect(beforeRelease).toBeGreaterThan(destroyedBefore); // the other evicted kernels went at once
      expect(device.stats().kernels).toBe(1 + owning);
      device.release(x);
      expect(device.stats().kernels).toBe(1);
      await device.dispose();
    });
  });
}

describe('GpuDevice options', () => {
  it(`defaults to ${DEFAULT_MAX_KERNELS} kernels and refuses a bound below 1`, async () => {
    const device = new GpuDevice('cpu');
    expect(device.maxKernels).toBe(DEFAULT_MAX_KERNELS);
    await device.dispose();
    expect(() => new GpuDevice('cpu', { maxKernels: 0 })).toThrow("backend 'gpujs': option maxKernels must be an integer ≥ 1, got 0");
  });
});
