import type { Texture } from 'gpu.js';

/**
 * Flat float32 data living where the mode computes: a gpu.js `Texture` in the
 * GL modes (it never leaves the GPU between kernels), a `Float32Array` in cpu
 * and webasm (gpu.js's "pipeline" there is plain memory). Several tensor views
 * can share one storage (a Reshape or Transpose is a new view, not a copy), so
 * it is reference counted: the last `release` frees the texture.
 */
export interface Storage {
  /** The data; null once freed, or for a zero-size tensor. */
  data: Texture | Float32Array | null;
  /** Number of float32 elements. */
  readonly size: number;
  /** Live references (views) to this storage. */
  refs: number;
}

/** Adds a reference to `s` and returns it. */
export function retain(s: Storage): Storage {
  if (s.refs <= 0) throw new Error('internal: retain of a freed storage');
  s.refs++;
  return s;
}

/** True when `data` is a gpu.js texture (GL modes) rather than host memory. */
export function isTexture(data: Texture | Float32Array | null): data is Texture {
  return data !== null && !(data instanceof Float32Array);
}
