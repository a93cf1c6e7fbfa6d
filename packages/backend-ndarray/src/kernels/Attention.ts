import type { NdKernel } from '../deferred.js';
import { runAttention } from '../fusion/attention.js';

/**
 * The composite `Attention` op as one blocked kernel (see
 * `fusion/attention.ts`): the Tq×Tk scores are never stored. When the
 * planner also folds the head-layout transposes around it, the backend
 * calls `attentionFromChain` instead; this is the plain form.
 *
 * @example
 * ```ts
 * import { Attention } from './Attention.js';
 * import { wrap } from '../handle.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 0, 0, 1), [2, 2]);
 * const node = { id: 3, op: 'Attention', inputs: [0, 1, 2], attrs: { scale: 1, causal: true }, shape: [2, 2], dtype: 'float32' } as const;
 * Attention([x, x, x], node, { gemm: jsGemm }).data; // row 0 = [1, 0]
 * ```
 */
export const Attention: NdKernel<'Attention'> = ([q, k, v], node, ctx) => runAttention(q, k, v, node, node.shape, node.attrs, ctx);
