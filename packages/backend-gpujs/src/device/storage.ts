import type { Texture } from 'gpu.js';

/** gpu.js's webgpu pipeline result: a GPU buffer, read back asynchronously. */
export interface BufferResult {
  toArray(): Promise<Float32Array | number[]>;
  delete(): void;
}

/** What a storage holds: a texture (GL), host memory (cpu, webasm), or a pending GPU buffer (webgpu). */
export type StorageData = Texture | Float32Array | Promise<BufferResult>;

/**
 * Flat float32 data living where the mode computes: a gpu.js `Texture` in the
 * GL modes (it never leaves the GPU between kernels), a `Float32Array` in cpu
 * and webasm (gpu.js's "pipeline" there is plain memory), the promise of a
 * GPU buffer in webgpu (kernels there resolve asynchronously). Several tensor views
 * can share one storage (a Reshape or Transpose is a new view, not a copy), so
 * it is reference counted: the last `release` frees the texture.
 */
export interface Storage {
  /** The data; null once freed, or for a zero-size tensor. */
  data: StorageData | null;
  /** Number of float32 elements. */
  readonly size: number;
  /** Live references (views) to this storage. */
  refs: number;
  /** webgpu: launches that read this storage and may not have been submitted yet; freeing waits for them. */
  readers?: Promise<unknown>[];
}

/**
 * Adds a reference to `s` and returns it.
 *
 * @example
 * ```ts
 * const shared = retain(storage); // now two owners; each calls device.release once
 * ```
 */
export function retain(s: Storage): Storage {
  if (s.refs <= 0) throw new Error('internal: retain of a freed storage');
  s.refs++;
  return s;
}

/**
 * True when `data` is a gpu.js texture (GL modes) rather than host memory.
 *
 * @example
 * ```ts
 * isTexture(new Float32Array(3)); // false
 * ```
 */
export function isTexture(data: StorageData | null): data is Texture {
  return data !== null && !(data instanceof Float32Array) && !(data instanceof Promise);
}
