import { GraphBuilder, type NodeRef } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import { add } from '../ops/Add.js';
import { conv1d } from '../ops/Conv1d.js';
import { matMul } from '../ops/MatMul.js';
import { mul } from '../ops/Mul.js';
import { reduceSum } from '../ops/ReduceSum.js';
import { relu } from '../ops/Relu.js';
import { reshape } from '../ops/Reshape.js';
import { transpose } from '../ops/Transpose.js';
import type { DType } from '../tensor.js';
import { scaledDotProductAttention } from './attention-core.js';
import type { SASConfig } from './config.js';

/** Options shared by the layer builders. */
export interface LayerBuildOptions {
  /** Graph dtype (default float32). */
  readonly dtype?: DType;
}

/** Conv over the head axis with heads as channels: x [N, Cin, D] → [N, Cout, D], plus a per-channel bias. */
function headConv(x: NodeRef, weight: NodeRef, bias: NodeRef, kernelSize: number): NodeRef {
  return add(conv1d(x, weight, (kernelSize - 1) / 2), reshape(bias, [bias.shape[0], 1]));
}

/** Head simulation (steps 1–2 of SAS.md): [N, H, D] → [N, H', D]. */
function simulateHeads(b: GraphBuilder, x: NodeRef, prefix: string, c: SASConfig): NodeRef {
  const { heads: h, simHeads: hs, kernelSize: k } = c;
  const y0 = headConv(x, b.param(`${prefix}.0.weight`, [hs, h, k]), b.param(`${prefix}.0.bias`, [hs]), k);
  const residual = headConv(relu(y0), b.param(`${prefix}.1.process.weight`, [hs, hs, k]), b.param(`${prefix}.1.process.bias`, [hs]), k);
  return add(y0, residual);
}

/** Feature simulation (step 3): a linear map D→D' then a pre-activation residual D'→D'. */
function simulateFeatures(b: GraphBuilder, y: NodeRef, prefix: string, c: SASConfig): NodeRef {
  const { headDim: d, simHeadDim: ds } = c;
  const z0 = add(matMul(y, b.param(`${prefix}.2.weight`, [ds, d]), false, true), b.param(`${prefix}.2.bias`, [ds]));
  const residual = add(matMul(relu(z0), b.param(`${prefix}.3.process.weight`, [ds, ds]), false, true), b.param(`${prefix}.3.process.bias`, [ds]));
  return add(z0, residual);
}

/** One branch: [B,T,H,D] input → [B,T,H',D'] (q, k) or [B,T,H',D] (v). */
function simulateBranch(b: GraphBuilder, input: NodeRef, prefix: string, c: SASConfig, withFeatures: boolean): NodeRef {
  const { batch, seqLen, heads, headDim, simHeads } = c;
  const perToken = reshape(input, [batch * seqLen, heads, headDim]);
  const heads2 = simulateHeads(b, perToken, prefix, c);
  const features = withFeatures ? simulateFeatures(b, heads2, prefix, c) : heads2;
  return reshape(features, [batch, seqLen, simHeads, features.shape[2]]);
}

/**
 * PEAA: split H' simulated heads into G = H'/H groups of H, flatten each to
 * H·D, apply the shared dense layer, average over groups. [B,T,H',D] → [B,T,H·D].
 */
function aggregate(b: GraphBuilder, attention: NodeRef, c: { batch: number; seqLen: number; heads: number; headDim: number; groups: number }): NodeRef {
  const width = c.heads * c.headDim;
  const grouped = reshape(attention, [c.batch, c.seqLen, c.groups, width]);
  const dense = add(matMul(grouped, b.param('output_dense.weight', [width, width]), false, true), b.param('output_dense.bias', [width]));
  return mul(reduceSum(dense, [2]), 1 / c.groups);
}

/**
 * Builds the SAS layer of SAS.md as a graph. Inputs `query`, `key`, `value`
 * [B,T,H,D]; params under the authors' names; outputs `output` [B,T,H·D] and
 * the fixture traces `trace.query_sim`, `trace.key_sim`, `trace.value_sim`,
 * `trace.attention`.
 *
 * @example
 * ```ts
 * import { buildSAS } from '@sas/core';
 * const graph = buildSAS({ kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true });
 * Object.keys(graph.outputs); // ['trace.query_sim', 'trace.key_sim', 'trace.value_sim', 'trace.attention', 'output']
 * ```
 */
export function buildSAS(config: SASConfig, options: LayerBuildOptions = {}): Graph {
  const c = config;
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const shape = [c.batch, c.seqLen, c.heads, c.headDim];
  const [query, key, value] = ['query', 'key', 'value'].map((name) => b.input(name, shape));
  const qSim = simulateBranch(b, query, 'sas_q', c, true);
  const kSim = simulateBranch(b, key, 'sas_k', c, true);
  const vSim = simulateBranch(b, value, 'sas_v', c, false);
  const perHead = (x: NodeRef) => transpose(x, [0, 2, 1, 3]); // [B,T,H',·] → [B,H',T,·]
  const heads = scaledDotProductAttention(perHead(qSim), perHead(kSim), perHead(vSim), 1 / Math.sqrt(c.simHeadDim), c.causal);
  const attention = transpose(heads, [0, 2, 1, 3]);
  b.output('trace.query_sim', qSim);
  b.output('trace.key_sim', kSim);
  b.output('trace.value_sim', vSim);
  b.output('trace.attention', attention);
  b.output('output', aggregate(b, attention, { ...c, groups: c.simHeads / c.heads }));
  return b.build();
}
