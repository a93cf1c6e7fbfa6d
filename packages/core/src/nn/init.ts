import { allocate, type DType, type Tensor } from '../tensor.js';
import type { LayerConfig } from './config.js';
import { layerParams } from './params.js';

/**
 * A small, fast, seeded PRNG (mulberry32) returning floats in [0, 1).
 * Deterministic across runtimes, so a seed names the same weights everywhere.
 *
 * @example
 * ```ts
 * import { seededRandom } from '@sas/core';
 * const rand = seededRandom(42);
 * rand(); // same number on every machine
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Initialises a layer's parameters as the reference does by default (PyTorch's
 * init for Linear and Conv1d): every weight and bias uniform in ±1/√fan_in.
 * The distribution matches; the draws come from our seeded PRNG, not PyTorch's.
 *
 * @example
 * ```ts
 * import { initParams } from '@sas/core';
 * const params = initParams({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true }, 7);
 * params['output_dense.weight'].shape; // [8, 8]
 * ```
 */
export function initParams(config: LayerConfig, seed: number, dtype: DType = 'float32'): Record<string, Tensor> {
  const rand = seededRandom(seed);
  const out: Record<string, Tensor> = {};
  for (const spec of layerParams(config)) {
    const bound = 1 / Math.sqrt(spec.fanIn);
    const data = allocate(
      dtype,
      spec.shape.reduce((a, b) => a * b, 1),
    );
    for (let i = 0; i < data.length; i++) data[i] = (2 * rand() - 1) * bound;
    out[spec.name] = { dtype, shape: [...spec.shape], data };
  }
  return out;
}

/**
 * Seeded standard-normal tensor (Box–Muller), for inputs in demos, tests and benchmarks.
 *
 * @example
 * ```ts
 * import { randomNormal } from '@sas/core';
 * randomNormal([1, 4, 2, 8], 3).data.length; // 64
 * ```
 */
export function randomNormal(shape: readonly number[], seed: number, dtype: DType = 'float32'): Tensor {
  const rand = seededRandom(seed);
  const data = allocate(
    dtype,
    shape.reduce((a, b) => a * b, 1),
  );
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const theta = 2 * Math.PI * rand();
    data[i] = r * Math.cos(theta);
    if (i + 1 < data.length) data[i + 1] = r * Math.sin(theta);
  }
  return { dtype, shape: [...shape], data };
}
