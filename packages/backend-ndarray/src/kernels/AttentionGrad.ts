import type { NdKernel } from '../deferred.js';
import { attentionGradFor } from '../fusion/attention-grad-group.js';

/**
 * The composite `AttentionGrad` op, alone: the blocked backward of
 * `fusion/attention-grad.ts` for this node's operand only. The backend
 * normally runs the three siblings of one attention together instead
 * (`attentionGradFor` with the planner's group).
 *
 * @example
 * ```ts
 * import { AttentionGrad } from './AttentionGrad.js';
 * import { wrap } from '../handle.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 0, 0, 1), [2, 2]);
 * const node = { id: 5, op: 'AttentionGrad', inputs: [0, 1, 2, 3, 4], attrs: { scale: 1, causal: true, wrt: 'v' }, shape: [2, 2], dtype: 'float32' } as const;
 * AttentionGrad([x, x, x, x, x], node, { gemm: jsGemm }).shape; // [2, 2]
 * ```
 */
export const AttentionGrad: NdKernel<'AttentionGrad'> = (inputs, node, ctx) => attentionGradFor(inputs, node, undefined, ctx, new WeakMap());
