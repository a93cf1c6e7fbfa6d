import { SasError } from '@sas/core';

/** The target that marks a position the loss ignores (PyTorch's `ignore_index`). */
export const IGNORE_TARGET = -100;

/**
 * A batch for the char GPT: `ids` and `targets`, both `[batch, seqLen]`
 * row-major. `targets[b,t]` is what the model should predict after reading
 * `ids[b,0..t]`, or `IGNORE_TARGET` where nothing is asked.
 */
export interface TokenBatch {
  readonly batch: number;
  readonly seqLen: number;
  readonly ids: Int32Array;
  readonly targets: Int32Array;
}

/** Checks that `value` is a positive integer, naming it as `what`. */
export function checkPositiveInt(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new SasError('E_INPUT', `${what}: expected a positive integer, got ${JSON.stringify(value)}`);
}

/**
 * Cuts a batch into batches of at most `size` rows (the last may be smaller),
 * for a model graph whose batch size is fixed.
 *
 * @example
 * ```ts
 * import { splitBatch } from '@sas/data';
 * const b = { batch: 3, seqLen: 2, ids: Int32Array.of(1, 2, 3, 4, 5, 6), targets: Int32Array.of(2, 3, 4, 5, 6, 7) };
 * splitBatch(b, 2).map((x) => x.batch); // [2, 1]
 * ```
 */
export function splitBatch(batch: TokenBatch, size: number): TokenBatch[] {
  checkPositiveInt(size, 'batch size');
  const out: TokenBatch[] = [];
  for (let row = 0; row < batch.batch; row += size) {
    const rows = Math.min(size, batch.batch - row);
    const from = row * batch.seqLen;
    const to = from + rows * batch.seqLen;
    out.push({ batch: rows, seqLen: batch.seqLen, ids: batch.ids.slice(from, to), targets: batch.targets.slice(from, to) });
  }
  return out;
}
