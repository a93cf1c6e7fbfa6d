import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';
import { rowOf } from '../lib/ids.js';

/**
 * Mean cross-entropy over the counted rows of `logits [..., V]`:
 * `logsumexp(row) − row[target]` (max-shifted, in double) for every target
 * that is not the ignore index, divided by their count. A target that is
 * neither the ignore index nor an integer in [0, V) (only a computed one
 * can be: fed targets are checked before the run) counts with a zero pick,
 * as the one-hot decomposition gives, never reading out of bounds; no
 * counted row gives NaN (0/0), as the decomposition does.
 *
 * @example
 * ```ts
 * import { CrossEntropy } from './CrossEntropy.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const logits = wrap(Float32Array.of(0, 0, 5, 5), [2, 2]);
 * CrossEntropy([logits, wrap(Float32Array.of(1, -100), [2])], nodeOf('CrossEntropy', [], { ignoreIndex: -100 }), { gemm: jsGemm }).data; // [0.6931472]
 * ```
 */
export const CrossEntropy: NdKernel<'CrossEntropy'> = ([logits, targets], node) => {
  const { ignoreIndex } = node.attrs;
  const v = logits.shape[logits.shape.length - 1];
  const xs = logits.data;
  let total = 0;
  let count = 0;
  for (let i = 0; i < targets.data.length; i++) {
    const target = targets.data[i];
    if (target === ignoreIndex) continue;
    const row = i * v;
    let max = -Infinity;
    for (let j = 0; j < v; j++) {
      const x = xs[row + j];
      if (x > max || x !== x) max = x;
    }
    let sum = 0;
    for (let j = 0; j < v; j++) sum += Math.exp(xs[row + j] - max);
    const t = rowOf(target, v);
    total += max + Math.log(sum) - (t >= 0 ? xs[row + t] : 0);
    count++;
  }
  const out = alloc(node.dtype, node.shape);
  out.data[0] = total / count;
  return out;
};
