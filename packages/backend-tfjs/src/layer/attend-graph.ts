import { add, GraphBuilder, matMul, mul, reduceSum, reshape, softmax, transpose, type Graph, type NodeRef } from '@sas/core';

/** The shape of one attention call over simulated heads, and which optional parts it has. */
export interface AttendShape {
  readonly batch: number;
  /** Tq, Tk: query and key/value lengths (they may differ: cross-attention). */
  readonly queryLen: number;
  readonly keyLen: number;
  /** H, H', D', Dv */
  readonly heads: number;
  readonly simHeads: number;
  readonly simKeyDim: number;
  readonly valueDim: number;
  /** Inputs `attention_bias` and `attention_keep` ([B, 1, Tq, Tk]) shape the probabilities. */
  readonly masked: boolean;
  /** Input `dropout_keep` ([B, H', Tq, Tk]: 0 or 1/(1 − rate)) multiplies the probabilities. */
  readonly dropout: boolean;
  /** PEAA's dense layer has the bias `output_dense.bias`. */
  readonly outputBias: boolean;
}

/**
 * Attention over the simulated heads and PEAA (SAS.md, the two sections after
 * the per-token simulation), for queries and keys of different lengths and
 * with an optional mask, as a core graph run by the same tfjs kernels as
 * every other graph.
 *
 * Inputs: `query_sim`, `key_sim` [B, T, H', D'] and `value_sim` [B, Tk, H', Dv]
 * (the traces of core's `buildSAS`), the optional mask and dropout inputs
 * above. Outputs: `output` [B, Tq, H·Dv] and `scores` [B, H', Tq, Tk], the
 * attention probabilities before dropout.
 *
 * Without a mask the probabilities are exactly the chain core's `Attention`
 * op decomposes into (MatMul, Mul by 1/√D', Softmax, MatMul), so the numbers
 * are those of the pre-projected `SASAttention`. With one, `attention_bias`
 * (0 where kept, −∞ where masked) is added before the softmax and
 * `attention_keep` (1/0) multiplies after it: a masked key gets probability
 * exactly 0 whatever its score, and a query row with no key left (its bias
 * row is all 0, see `maskFeeds`) gets all-zero probabilities instead of the
 * NaN of a softmax over −∞ only. Both are plain adds and multiplies, so
 * tfjs autodiff stays finite through them.
 *
 * PEAA mirrors core's (private) `aggregate`: G = H'/H groups of H heads, each
 * flattened to H·Dv, one shared dense layer, mean over groups.
 *
 * @example
 * ```ts
 * const g = buildAttendGraph({ batch: 1, queryLen: 3, keyLen: 5, heads: 2, simHeads: 4, simKeyDim: 8, valueDim: 4, masked: true, dropout: false, outputBias: true });
 * g.nodes[g.outputs.scores].shape; // [1, 4, 3, 5]
 * ```
 */
export function buildAttendGraph(s: AttendShape): Graph {
  const b = new GraphBuilder('float32');
  const { batch, queryLen: tq, keyLen: tk, heads, simHeads, simKeyDim, valueDim } = s;
  const perHead = (x: NodeRef) => transpose(x, [0, 2, 1, 3]); // [B, T, H', ·] → [B, H', T, ·]
  const q = perHead(b.input('query_sim', [batch, tq, simHeads, simKeyDim]));
  const k = perHead(b.input('key_sim', [batch, tk, simHeads, simKeyDim]));
  const v = perHead(b.input('value_sim', [batch, tk, simHeads, valueDim]));
  let logits = mul(matMul(q, k, false, true), 1 / Math.sqrt(simKeyDim));
  if (s.masked) logits = add(logits, b.input('attention_bias', [batch, 1, tq, tk]));
  let probs = softmax(logits);
  if (s.masked) probs = mul(probs, b.input('attention_keep', [batch, 1, tq, tk]));
  b.output('scores', probs);
  if (s.dropout) probs = mul(probs, b.input('dropout_keep', [batch, simHeads, tq, tk]));
  const attention = transpose(matMul(probs, v), [0, 2, 1, 3]); // [B, Tq, H', Dv]
  const width = heads * valueDim;
  const groups = simHeads / heads;
  const grouped = reshape(attention, [batch, tq, groups, width]);
  let dense = matMul(grouped, b.param('output_dense.weight', [width, width]), false, true);
  if (s.outputBias) dense = add(dense, b.param('output_dense.bias', [width]));
  b.output('output', mul(reduceSum(dense, [2]), 1 / groups));
  return b.build();
}
