// The key/value cache on the host: per block, the rows every token left,
// heads first ([B, kvHeads, capacity, ·], as the layers' attention reads keys,
// so a step reads the cache without a transpose), fed to each step graph as
// inputs and extended with the row the step hands back. Slots from `length`
// on stay zero: the step graph adds the token's own score into its slot.

import { SasError } from '../errors.js';
import { allocate, fmtShape, type DType, type Tensor } from '../tensor.js';
import { cacheKeyName, cacheValueName, type CacheRowShape } from './graphs.js';

/** One block's storage: keys and values, each [batch, heads, capacity, dim]. */
interface BlockStore {
  key: Float32Array | Float64Array;
  value: Float32Array | Float64Array;
}

/**
 * A growing key/value cache for `layers` blocks of one row shape. Capacity
 * only grows (`reserve`), copying what is there; `write` stores the rows of
 * the next tokens and `advance` counts them; `feeds` hands the storage to a
 * step graph without copying.
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
  private blocks: BlockStore[];
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

  /** Slots allocated per batch row and head. */
  get capacity(): number {
    return this.size;
  }

  /** Grows the storage to `capacity` slots (kept rows copied, new slots zero); never shrinks. */
  reserve(capacity: number): void {
    if (capacity <= this.size) return;
    const grow = (old: Float32Array | Float64Array, dim: number) => {
      const next = allocate(this.dtype, this.batch * this.row.heads * capacity * dim);
      for (let s = 0; s < this.batch * this.row.heads; s++)
        next.set(old.subarray(s * this.size * dim, (s * this.size + this.filled) * dim), s * capacity * dim);
      return next;
    };
    this.blocks = this.blocks.map((b) => ({ key: grow(b.key, this.row.keyDim), value: grow(b.value, this.row.valueDim) }));
    this.size = capacity;
  }

  /**
   * Stores block `layer`'s rows for the next n tokens, `key` [B, heads, n,
   * keyDim] and `value` [B, heads, n, valueDim], at slots length..length+n−1.
   * Call for every block, then `advance(n)`.
   */
  write(layer: number, key: Tensor, value: Tensor): void {
    const { heads, keyDim, valueDim } = this.row;
    const n = key.shape[2];
    const check = (t: Tensor, dim: number, what: string) => {
      const want = [this.batch, heads, n, dim];
      if (t.shape.length !== 4 || t.shape.some((d, i) => d !== want[i]))
        throw new SasError('E_SHAPE', `cache block ${layer} ${what}: expected shape ${fmtShape(want)}, got ${fmtShape(t.shape)}`);
    };
    check(key, keyDim, 'keys');
    check(value, valueDim, 'values');
    if (this.filled + n > this.size) {
      throw new SasError(
        'E_SHAPE',
        `cache: ${n} more row${n === 1 ? '' : 's'} do${n === 1 ? 'es' : ''} not fit (${this.filled} of ${this.size} slots used; reserve first)`,
      );
    }
    const put = (into: Float32Array | Float64Array, from: Tensor, dim: number) => {
      for (let s = 0; s < this.batch * heads; s++) into.set(from.data.subarray(s * n * dim, (s + 1) * n * dim), (s * this.size + this.filled) * dim);
    };
    put(this.blocks[layer].key, key, keyDim);
    put(this.blocks[layer].value, value, valueDim);
  }

  /** Counts n more tokens as stored (after `write` for every block). */
  advance(n: number): void {
    if (this.filled + n > this.size) throw new SasError('E_SHAPE', `cache: cannot advance ${n} past ${this.size} slots (${this.filled} used)`);
    this.filled += n;
  }

  /** The step graph's cache inputs, `cache.i.key` / `cache.i.value` [B, heads, capacity, ·], sharing the storage. */
  feeds(): Record<string, Tensor> {
    const { heads, keyDim, valueDim } = this.row;
    const out: Record<string, Tensor> = {};
    this.blocks.forEach((b, i) => {
      out[cacheKeyName(i)] = { dtype: this.dtype, shape: [this.batch, heads, this.size, keyDim], data: b.key };
      out[cacheValueName(i)] = { dtype: this.dtype, shape: [this.batch, heads, this.size, valueDim], data: b.value };
    });
    return out;
  }
}
