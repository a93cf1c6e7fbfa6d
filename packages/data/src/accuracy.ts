import { SasError } from '@sas/core';
import { IGNORE_TARGET } from './batch.js';

/** Logits as a backend returns them: `[batch, seqLen, vocab]`, row-major. */
export interface LogitsLike {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Correct answers out of the positions asked (targets other than −100). */
export interface RecallScore {
  readonly correct: number;
  readonly total: number;
  readonly accuracy: number;
}

/**
 * Recall accuracy: at every position whose target is not −100, whether the
 * argmax of the logits (the first, on ties) equals the target. NaN logits, a
 * shape that does not match the targets, or no position asked are `E_INPUT`
 * errors, never a silent NaN.
 *
 * @example
 * ```ts
 * import { recallAccuracy } from '@sas/data';
 * const logits = { shape: [1, 2, 3], data: [0, 0, 0, 0.1, 0.9, 0] }; // position 1 predicts 1
 * recallAccuracy(logits, Int32Array.of(-100, 1)); // { correct: 1, total: 1, accuracy: 1 }
 * ```
 */
export function recallAccuracy(logits: LogitsLike, targets: ArrayLike<number>): RecallScore {
  if (logits.shape.length !== 3) throw new SasError('E_SHAPE', `accuracy: logits must be [batch, seqLen, vocab], got [${logits.shape.join(',')}]`);
  const [b, t, vocab] = logits.shape;
  if (targets.length !== b * t) throw new SasError('E_SHAPE', `accuracy: ${targets.length} targets for logits [${logits.shape.join(',')}] (expected ${b * t})`);
  let correct = 0;
  let total = 0;
  for (let pos = 0; pos < targets.length; pos++) {
    const target = targets[pos];
    if (target === IGNORE_TARGET) continue;
    if (!Number.isInteger(target) || target < 0 || target >= vocab)
      throw new SasError('E_INPUT', `accuracy: targets[${pos}] = ${target} is neither -100 nor a token id 0..${vocab - 1}`);
    const base = pos * vocab;
    let best = 0;
    for (let v = 0; v < vocab; v++) {
      const x = logits.data[base + v];
      if (Number.isNaN(x)) throw new SasError('E_INPUT', `accuracy: logits at position ${pos} hold NaN`);
      if (x > logits.data[base + best]) best = v;
    }
    total++;
    if (best === target) correct++;
  }
  if (total === 0) throw new SasError('E_INPUT', 'accuracy: no position has a target (all are -100)');
  return { correct, total, accuracy: correct / total };
}
