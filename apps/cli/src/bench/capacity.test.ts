import { describe, expect, it } from 'vitest';
import { countParams, SasError, type LayerConfig } from '@sas/core';
import { checkBenchCapacity } from './capacity.js';

const GiB = 2 ** 30;
const mha = (seqLen: number): LayerConfig => ({ kind: 'mha', batch: 1, seqLen, heads: 12, headDim: 64, kvHeads: 12, causal: true });
/** MiB the benchmark holds: query, key, value (and the cotangent) of T×768 plus the weights (countParams), twice with the backward. */
const needMiB = (seqLen: number, bytes: number, backward: boolean) =>
  Math.ceil((((backward ? 4 : 3) * seqLen * 768 + countParams(mha(seqLen))) * bytes * (backward ? 2 : 1)) / 2 ** 20);

describe('checkBenchCapacity', () => {
  it("refuses inputs and weights larger than the machine's memory, before allocating, naming both sizes", () => {
    // T = 2^20 at the paper head: 3 inputs of 2^20·768 float32 = 9 GiB, on a machine of 8 GiB.
    const refuse = () => checkBenchCapacity(mha(2 ** 20), 'float32', false, '--shape', 8 * GiB);
    expect(refuse).toThrow(SasError);
    expect(refuse).toThrow(
      `--shape: the inputs and weights need ${needMiB(2 ** 20, 4, false)} MiB, more than this machine's 8192 MiB of memory (refused before allocating)`,
    );
  });

  it('counts float64 at 8 bytes, and the backward pass twice (forward and gradient inputs are both held)', () => {
    expect(() => checkBenchCapacity(mha(2 ** 19), 'float32', false, '--shape', 8 * GiB)).not.toThrow();
    expect(() => checkBenchCapacity(mha(2 ** 19), 'float64', false, '--shape', 8 * GiB)).toThrow(`need ${needMiB(2 ** 19, 8, false)} MiB`);
    expect(() => checkBenchCapacity(mha(2 ** 19), 'float32', true, '--shape', 8 * GiB)).toThrow(`need ${needMiB(2 ** 19, 4, true)} MiB`);
  });

  it('refuses one tensor over 2^31 − 1 elements whatever the memory', () => {
    expect(() => checkBenchCapacity(mha(2 ** 22), 'float32', false, '--seq-lens 4194304 (mha)', 2 ** 50)).toThrow(
      '--seq-lens 4194304 (mha): query of shape [1,4194304,12,64] has 3221225472 elements, more than the 2147483647 one tensor may hold (refused before allocating)',
    );
  });
});
