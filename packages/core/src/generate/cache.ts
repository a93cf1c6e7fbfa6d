// The key/value cache on the host: per block, the rows every token left
// ([B, capacity, kvHeads, ·], token-major), fed to each step graph as inputs
// and extended with the row the step hands back. Slots past `length` stay
// zero: the step graph writes its own row into slot `length` by adding.

import { SasError } from '../errors.js';
import { allocate, fmtShape, type DType, type Tensor } from '../tensor.js';
import { cacheKeyName, cacheValueName, type CacheRowShape } from './graphs.js';

/** One block's storage: keys and values, each [batch, capacity, heads, dim]. */
interface BlockStore {
  key: Float32Array | Float64Array;
  value: Float32Array | Float64Array;
}

/**
 * A growing key/value cache for `layers` blocks of one row shape. Capacity
 * only grows (`reserve`), copying what is there; `append` writes the rows of
 * the next tokens; `feeds` hands the storage to a step graph without copying.
 *
 * @example
 * ```ts
 * import { KeyValueCache } from '@sas/core';
 * const cache = new KeyValueCache({ layers: 2, row: { heads: 4, keyDim: 8, valueDim: 4 }, dtype: 'float32' });
 * cache.reserve(16);
 * Object.keys(cache.feeds()); // ['cache.0.key', 'cache.0.value', 'cache.1.key', 'cache.1.value']
 * ```
 */
export class KeyValueCache {
  readonly layers: number;
  readonly row: CacheRowShape;
  readonly dtype: DType;
  readonly batch: number;
  private blocks: BlockStore[] = [];
  private size = 0;
  private filled = 0;

  constructor(options: { readonly layers: number; readonly row: CacheRowShape; readonly dtype: DType; readonly batch?: number }) {
    this.layers = options.layers;
    this.row = options.row;
    this.dtype = options.dtype;
    this.batch = options.batch ?? 1;
    this.blocks = Array.from({ length: this.layers }, () => ({ key: allocate(this.dtype, 0), value: allocate(this.dtype, 0) }));
  }

  /** Tokens whose rows the cache holds (the next token's position). */
  get length(): number {
    return this.filled;
  }

  /** Slots allocated per batch row. */
  get capacity(): number {
    return this.size;
  }

  /** Grows the storage to `capacity` slots (kept rows copied, new slots zero); never shrinks. */
  reserve(capacity: number): void {
    if (capacity <= this.size) return;
    const { heads, keyDim, valueDim } = this.row;
    const grow = (old: Float32Array | Float64Array, dim: number) => {
      const rowSize = heads * dim;
      const next = allocate(this.dtype, this.batch * capacity * rowSize);
      for (let b = 0; b < this.batch; b++) next.set(old.subarray(b * this.size * rowSize, (b * this.size + this.filled) * rowSize), b * capacity * rowSize);
      return next;
    };
    this.blocks = this.blocks.map((s) => ({ key: grow(s.key, keyDim), value: grow(s.value, valueDim) }));
    this.size = capacity;
  }

  /**
   * Stores block `layer`'s rows for the next n tokens: `key` [B, n, heads,
   * keyDim] and `value` [B, n, heads, valueDim], at slots length..length+n−1.
   * Call for every block, then `advance(n)`.
   */
  write(layer: number, key: Tensor, value: Tensor): void {
    const n = key.shape[1];
    const { heads, keyDim, valueDim } = this.row;
    const expect = (t: Tensor, dim: number, what: string) => {
      const want = [this.batch, n, heads, dim];
      if (t.shape.length !== 4 || t.shape.some((d, i) => d !== want[i]))
        throw new SasError('E_SHAPE', `cache block ${layer} ${what}: expected shape ${fmtShape(want)}, got ${fmtShape(t.shape)}`);
    };
    expect(key, keyDim, 'keys');
    expect(value, valueDim, 'values');
    if (this.filled + n > this.size) {
      throw new SasError('E_SHAPE', `cache: ${n} more rows do not fit (${this.filled} of ${this.size} slots used; reserve first)`);
    }
    const put = (into: Float32Array | Float64Array, from: Tensor, dim: number) => {
      const rowSize = heads * dim;
      for (let b = 0; b < this.batch; b++) into.set(from.data.subarray(b * n * rowSize, (b + 1) * n * rowSize), (b * this.size + this.filled) * rowSize);
    };
    put(this.blocks[layer].key, key, keyDim);
    put(this.blocks[layer].value, value, valueDim);
  }

  /** Counts n more tokens as stored (after `write` for every block). */
  advance(n: number): void {
    if (this.filled + n > this.size) throw new SasError('E_SHAPE', `cache: cannot advance ${n} past ${this.size} slots (${this.filled} used)`);
    this.filled += n;
  }

  /** The step graph's cache inputs, `cache.i.key` / `cache.i.value` [B, capacity, heads, ·], sharing the storage. */
  feeds(): Record<string, Tensor> {
    const { heads, keyDim, valueDim } = this.row;
    const out: Record<string, Tensor> = {};
    this.blocks.forEach((s, i) => {
      out[cacheKeyName(i)] = { dtype: this.dtype, shape: [this.batch, this.size, heads, keyDim], data: s.key };
      out[cacheValueName(i)] = { dtype: this.dtype, shape: [this.batch, this.size, heads, valueDim], data: s.value };
    });
    return out;
  }
}
