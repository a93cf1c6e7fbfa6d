import { totalmem } from 'node:os';
import { DEFAULT_MAX_ELEMENTS, fmtShape, layerParams, SasError, sizeOf, type DType, type LayerConfig } from '@sas/core';

/** The tensors a benchmark allocates itself: inputs, weights and, with the backward pass, the cotangent. */
function benchTensors(config: LayerConfig, backward: boolean): { name: string; shape: number[] }[] {
  const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
  const { batch: b, seqLen: t, heads: h, headDim: d } = config;
  return [
    { name: 'query', shape: [b, t, h, d] },
    { name: 'key', shape: [b, t, kv, d] },
    { name: 'value', shape: [b, t, kv, d] },
    ...layerParams(config).map((p) => ({ name: p.name, shape: [...p.shape] })),
    ...(backward ? [{ name: 'cotangent', shape: [b, t, h * d] }] : []),
  ];
}

/**
 * Refuses a benchmark whose own inputs cannot be allocated, before any is:
 * a tensor over the 2³¹ − 1 elements a typed array holds, or inputs and
 * weights together (twice over with the backward pass, which times the
 * forward alongside) larger than this machine's memory. What the backend
 * allocates for the run is checked by the backend itself, also before allocating.
 *
 * @example
 * ```ts
 * checkBenchCapacity({ kind: 'mha', batch: 1, seqLen: 1e9, heads: 12, headDim: 64, kvHeads: 12, causal: true }, 'float32', false);
 * // throws E_INPUT: --shape: query of shape [1,1000000000,12,64] has 768000000000 elements, more than ...
 * ```
 */
export function checkBenchCapacity(config: LayerConfig, dtype: DType, backward: boolean, flag = '--shape', memoryBytes = totalmem()): void {
  const tensors = benchTensors(config, backward);
  for (const { name, shape } of tensors) {
    const n = sizeOf(shape);
    if (n > DEFAULT_MAX_ELEMENTS)
      throw new SasError(
        'E_INPUT',
        `${flag}: ${name} of shape ${fmtShape(shape)} has ${n} elements, more than the ${DEFAULT_MAX_ELEMENTS} one tensor may hold (refused before allocating)`,
      );
  }
  const bytes = tensors.reduce((sum, { shape }) => sum + sizeOf(shape), 0) * (dtype === 'float32' ? 4 : 8) * (backward ? 2 : 1);
  if (bytes > memoryBytes)
    throw new SasError(
      'E_INPUT',
      `${flag}: the inputs and weights need ${mib(bytes)} MiB, more than this machine's ${mib(memoryBytes)} MiB of memory (refused before allocating)`,
    );
}

const mib = (bytes: number) => Math.ceil(bytes / 2 ** 20);
