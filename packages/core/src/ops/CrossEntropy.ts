import { SasError } from '../errors.js';
import type { NodeRef } from '../ir/builder.js';
import { fmtShape } from '../tensor.js';
import { add } from './Add.js';
import { div } from './Div.js';
import { equal } from './Equal.js';
import { exp } from './Exp.js';
import { checkIds, oneHotRows } from './indices.js';
import { log } from './Log.js';
import { mul } from './Mul.js';
import type { AttrSchema, AttrsOf } from './attrs.js';
import { attrError, defineOp, shapeError } from './op.js';
import { reduceMax } from './ReduceMax.js';
import { reduceSum } from './ReduceSum.js';
import { reshape } from './Reshape.js';
import { softmax } from './Softmax.js';
import { sub } from './Sub.js';

const CROSS_ENTROPY_ATTRS = { ignoreIndex: { type: 'int', doc: 'targets equal to it are skipped (PyTorch default −100)' } } as const satisfies AttrSchema;

/** CrossEntropy's attributes. */
export type CrossEntropyAttrs = AttrsOf<typeof CROSS_ENTROPY_ATTRS>;

/** PyTorch's default ignore index, the targets of positions the loss skips. */
export const IGNORE_INDEX = -100;

/** 1 where a target counts (is not the ignore index), else 0, shaped like the targets. */
function countedMask(targets: NodeRef, ignoreIndex: number): NodeRef {
  return sub(1, equal(targets, ignoreIndex));
}

const allAxes = (t: NodeRef) => t.shape.map((_, i) => i);

/**
 * Mean cross-entropy of `logits [..., V]` against integer `targets [...]`,
 * as `torch.nn.functional.cross_entropy(ignore_index=−100)`: the mean of
 * `logsumexp(logits) − logits[target]` over the positions whose target is
 * not the ignore index → a scalar. A target that is neither an integer in
 * [0, V) nor the ignore index is refused by the reference; so is a batch with
 * no counted position (the mean would be 0/0): fed targets are checked before
 * any run through the Input's index domain, and a kernel given computed
 * targets with no counted position returns NaN. VJP:
 * `g/count · mask ⊙ (softmax(logits) − onehot(target))`; targets get none.
 * A composite: max-shifted log-sum-exp minus a one-hot pick, averaged.
 */
export const CrossEntropy = defineOp({
  name: 'CrossEntropy',
  arity: 2,
  attrs: CROSS_ENTROPY_ATTRS,
  shapeRule: 'logits [..., V], targets [...] → []',
  summary:
    'Mean over counted positions of logsumexp(logits) − logits[target] for logits [...,V], integer targets [...] (ignoreIndex, default −100, skipped) → scalar. No counted position or a target outside [0,V) is refused by the reference. VJP: g/count·mask⊙(softmax − onehot). Composite: ReduceMax, Sub, Exp, ReduceSum, Log, one-hot Equal, Mul, Div.',
  checkAttrs: ({ ignoreIndex }) => {
    if (!Number.isSafeInteger(ignoreIndex) || ignoreIndex >= 0)
      attrError('CrossEntropy', `ignoreIndex must be a negative integer, got ${JSON.stringify(ignoreIndex)}`);
  },
  inferShape: (inputs) => {
    const [logits, targets] = inputs;
    if (logits.shape.length < 1) shapeError('CrossEntropy', 'logits need rank ≥ 1 ([..., V])', inputs);
    const lead = logits.shape.slice(0, -1);
    if (targets.shape.length !== lead.length || lead.some((d, i) => d !== targets.shape[i])) {
      shapeError('CrossEntropy', `targets must have shape ${fmtShape(lead)} (logits without their last axis)`, inputs);
    }
    return [];
  },
  evaluate: ([logits, targets], { ignoreIndex }) => {
    const v = logits.shape[logits.shape.length - 1];
    checkIds('CrossEntropy: targets at', targets, { indexRange: v, ignoreIndex });
    let total = 0;
    let count = 0;
    targets.data.forEach((target, i) => {
      if (target === ignoreIndex) return;
      const row = logits.data.subarray(i * v, (i + 1) * v);
      const max = row.reduce((m, x) => Math.max(m, x), -Infinity);
      const logSumExp = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      total += logSumExp - row[target];
      count++;
    });
    if (count === 0) {
      throw new SasError('E_INPUT', `CrossEntropy: every target is the ignore index ${ignoreIndex}, so the mean counts no position`);
    }
    return Float64Array.of(total / count);
  },
  vjp: (g, [logits, targets], _y, { ignoreIndex }) => {
    const mask = countedMask(targets, ignoreIndex);
    const v = logits.shape[logits.shape.length - 1];
    const picked = reshape(oneHotRows(targets, v), logits.shape);
    const perRow = reshape(mask, [...targets.shape, 1]);
    return [mul(mul(sub(softmax(logits), picked), perRow), div(g, reduceSum(mask, allAxes(mask)))), null];
  },
  decompose: ([logits, targets], { ignoreIndex }) => {
    const v = logits.shape[logits.shape.length - 1];
    const n = targets.shape.reduce((a, d) => a * d, 1);
    const rows = reshape(logits, [n, v]);
    const max = reduceMax(rows, [1], true);
    const logSumExp = add(log(reduceSum(exp(sub(rows, max)), [1])), reshape(max, [n]));
    const picked = reduceSum(mul(oneHotRows(targets, v), rows), [1]);
    const mask = countedMask(targets, ignoreIndex);
    return div(reduceSum(mul(sub(logSumExp, picked), reshape(mask, [n])), [0]), reduceSum(mask, allAxes(mask)));
  },
});

/**
 * Mean cross-entropy of `logits` [..., V] against integer `targets` [...],
 * skipping targets equal to `ignoreIndex` (default −100).
 *
 * @example
 * ```ts
 * import { GraphBuilder, crossEntropy } from '@sas/core';
 * const b = new GraphBuilder();
 * const loss = crossEntropy(b.input('logits', [2, 9, 13]), b.input('targets', [2, 9], { indexRange: 13, ignoreIndex: -100 })); // scalar
 * ```
 */
export function crossEntropy(logits: NodeRef, targets: NodeRef, ignoreIndex = IGNORE_INDEX): NodeRef {
  return logits.builder.apply('CrossEntropy', [logits, targets], { ignoreIndex });
}
