// How a layer's queries attend to keys and values. The full forward pass uses
// `scaledDotProductAttention` over its own tokens (causal or not); a decoding
// step attends to a cache of earlier tokens' keys and values plus its own
// (packages/core/src/generate/cache-attention.ts). The layers (sas.ts,
// attention.ts) take this function from their scope, so one definition of
// each layer serves the full forward pass, the prefill and the cached step.

import type { NodeRef } from '../ir/builder.js';

/**
 * Attention per head, heads as batch axes: q [.., Tq, Dk], k [.., Tk, Dk],
 * v [.., Tk, Dv] → [.., Tq, Dv], batch axes broadcast (a kv head may serve a
 * group of query heads); `scale` multiplies the scores, `causal` asks for the
 * lower-triangular mask. `scaledDotProductAttention` is the default.
 */
export type Attend = (q: NodeRef, k: NodeRef, v: NodeRef, scale: number, causal: boolean) => NodeRef;
