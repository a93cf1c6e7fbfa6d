import { stridesOf } from '@sas/core';
import type { GpuDevice } from './device/device.js';
import { retain, type Storage } from './device/storage.js';

/** The fill of a causal mask (CausalMask's `fill` attribute). */
export type MaskFill = 'neg-inf' | 'zero';

/**
 * The backend's handle: a strided view of a device storage, numpy style, plus
 * two pointwise steps still to apply when the values are read. Transpose,
 * Reshape, BroadcastTo and Flip only rewrite shape/strides/offset; a Mul by a
 * scalar constant only sets `scale`; a CausalMask only sets `mask`. Every
 * kernel reads its inputs through these views (see codegen.ts), so the head
 * transposes around the attention matmuls and the 1/√D' scale cost nothing,
 * and Softmax applies the mask while it reads (the fused masked softmax).
 */
export interface GpuTensor {
  readonly shape: readonly number[];
  /** Element strides into `storage` per axis; 0 along broadcast axes, negative after a Flip. */
  readonly strides: readonly number[];
  /** Element offset of index [0, …, 0] in `storage`. */
  readonly offset: number;
  readonly storage: Storage;
  /** Factor applied to every value read (1 = none). */
  readonly scale: number;
  /** When set, entries above the bottom-right-aligned diagonal of the last two axes read as −∞ or 0. */
  readonly mask: MaskFill | null;
  /** The masked view computed into its own storage, made at most once, owned by this handle. */
  unmasked?: GpuTensor;
}

/** Row-major strides of a shape: core's `stridesOf`, under the name this package's kernels use. */
export const rowMajor = stridesOf;

/**
 * Number of elements of `shape`.
 *
 * @example
 * ```ts
 * sizeOfShape([2, 3]); // 6
 * ```
 */
export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/**
 * A fresh handle over a whole new storage (takes over the storage's reference).
 *
 * @example
 * ```ts
 * const t = fromStorage(device.upload(new Float32Array(6)), [2, 3]);
 * ```
 */
export function fromStorage(storage: Storage, shape: readonly number[]): GpuTensor {
  return { shape: [...shape], strides: rowMajor(shape), offset: 0, storage, scale: 1, mask: null };
}

/**
 * A new view of `t`'s storage (adds a storage reference).
 *
 * @example
 * ```ts
 * const tT = view(t, { shape: [3, 2], strides: [1, 3] }); // t transposed, same storage
 * ```
 */
export function view(t: GpuTensor, changes: Partial<Pick<GpuTensor, 'shape' | 'strides' | 'offset' | 'scale' | 'mask'>>): GpuTensor {
  retain(t.storage);
  return {
    shape: [...(changes.shape ?? t.shape)],
    strides: [...(changes.strides ?? t.strides)],
    offset: changes.offset ?? t.offset,
    storage: t.storage,
    scale: changes.scale ?? t.scale,
    mask: changes.mask !== undefined ? changes.mask : t.mask,
  };
}

/**
 * True when the view walks its elements in row-major order with no gaps (any offset, scale).
 *
 * @example
 * ```ts
 * isRowMajor(view(t, { shape: [3, 2], strides: [1, 3] })); // false
 * ```
 */
export function isRowMajor(t: GpuTensor): boolean {
  const want = rowMajor(t.shape);
  return t.shape.every((d, i) => d <= 1 || t.strides[i] === want[i]);
}

/**
 * True when the view is exactly its storage: row-major, offset 0, no scale or mask, same size.
 *
 * @example
 * ```ts
 * isWholeStorage(fromStorage(device.upload(new Float32Array(6)), [2, 3])); // true
 * ```
 */
export function isWholeStorage(t: GpuTensor): boolean {
  return isRowMajor(t) && t.offset === 0 && t.scale === 1 && t.mask === null && sizeOfShape(t.shape) === t.storage.size;
}

/**
 * `t`'s strides as seen from an output of shape `out` under numpy broadcasting:
 * one per output axis, 0 for missing leading axes and stretched size-1 axes.
 *
 * @example
 * ```ts
 * broadcastStridesOf(fromStorage(s, [3, 1]), [2, 3, 4]); // [0, 1, 0]
 * ```
 */
export function broadcastStridesOf(t: GpuTensor, out: readonly number[]): number[] {
  const lead = out.length - t.shape.length;
  return out.map((_d, k) => {
    const j = k - lead;
    if (j < 0 || t.shape[j] === 1) return 0;
    return t.strides[j];
  });
}

/**
 * Drops this handle's references (and its cached unmasked copy's).
 *
 * @example
 * ```ts
 * releaseTensor(device, t); // frees the texture once no other view holds it
 * ```
 */
export function releaseTensor(device: GpuDevice, t: GpuTensor): void {
  if (t.unmasked) releaseTensor(device, t.unmasked);
  t.unmasked = undefined;
  device.release(t.storage);
}
