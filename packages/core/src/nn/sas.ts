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
import type { Attend } from './attend.js';

/** Options shared by the layer builders. */
export interface LayerBuildOptions {
  /** Graph dtype (default float32). */
  readonly dtype?: DType;
}

/** Conv over the head axis with heads as channels: x [N, Cin, D] → [N, Cout, D], plus a per-channel bias. */
function headConv(x: NodeRef, weight: NodeRef, bias: NodeRef, kernelSize: number): NodeRef {
  return add(conv1d(x, weight, (kernelSize - 1) / 2), reshape(bias, [bias.shape[0], 1]));
}

/** Where a layer's params go: the builder, and the prefix of their names ('' alone, 'blocks.0.attn.' in a model). */
export interface LayerScope {
  readonly builder: GraphBuilder;
  readonly prefix: string;
  /**
   * How the layer's queries attend, per head (default
   * `scaledDotProductAttention`: to the tokens' own keys and values). A
   * decoding step passes one that reads a key/value cache (packages/core/src/generate/).
   */
  readonly attend?: Attend;
}

const param = (s: LayerScope, name: string, shape: readonly number[]) => s.builder.param(`${s.prefix}${name}`, shape);

/** Head simulation (steps 1–2 of SAS.md): [N, H, D] → [N, H', D]. */
function simulateHeads(s: LayerScope, x: NodeRef, branch: string, c: SASConfig): NodeRef {
  const { heads: h, simHeads: hs, kernelSize: k } = c;
  const y0 = headConv(x, param(s, `${branch}.0.weight`, [hs, h, k]), param(s, `${branch}.0.bias`, [hs]), k);
  const residual = headConv(relu(y0), param(s, `${branch}.1.process.weight`, [hs, hs, k]), param(s, `${branch}.1.process.bias`, [hs]), k);
  return add(y0, residual);
}

/** Feature simulation (step 3): a linear map D→D' then a pre-activation residual D'→D'. */
function simulateFeatures(s: LayerScope, y: NodeRef, branch: string, c: SASConfig): NodeRef {
  const { headDim: d, simHeadDim: ds } = c;
  const z0 = add(matMul(y, param(s, `${branch}.2.weight`, [ds, d]), false, true), param(s, `${branch}.2.bias`, [ds]));
  const residual = add(matMul(relu(z0), param(s, `${branch}.3.process.weight`, [ds, ds]), false, true), param(s, `${branch}.3.process.bias`, [ds]));
  return add(z0, residual);
}

/** One branch: [B,T,H,D] input → [B,T,H',D'] (q, k with feature maps) or [B,T,H',D] (v, or q and k without). */
function simulateBranch(s: LayerScope, input: NodeRef, branch: string, c: SASConfig, withFeatures: boolean): NodeRef {
  const { batch, seqLen, heads, headDim, simHeads } = c;
  const perToken = reshape(input, [batch * seqLen, heads, headDim]);
  const heads2 = simulateHeads(s, perToken, branch, c);
  const features = withFeatures ? simulateFeatures(s, heads2, branch, c) : heads2;
  return reshape(features, [batch, seqLen, simHeads, features.shape[2]]);
}

/**
 * PEAA: split H' simulated heads into G = H'/H groups of H, flatten each to
 * H·D, apply the shared dense layer, average over groups. [B,T,H',D] → [B,T,H·D].
 */
function aggregate(s: LayerScope, attention: NodeRef, c: { batch: number; seqLen: number; heads: number; headDim: number; groups: number }): NodeRef {
  const width = c.heads * c.headDim;
  const grouped = reshape(attention, [c.batch, c.seqLen, c.groups, width]);
  const dense = add(matMul(grouped, param(s, 'output_dense.weight', [width, width]), false, true), param(s, 'output_dense.bias', [width]));
  return mul(reduceSum(dense, [2]), 1 / c.groups);
}

/** What a layer computes inside a graph: its output [B,T,H·D] and the fixture traces. */
export interface LayerNodes {
  readonly output: NodeRef;
  readonly traces: Readonly<Record<string, NodeRef>>;
}

/**
 * The SAS layer of SAS.md on existing nodes `query`, `key`, `value`
 * [B,T,H,D], its params named `scope.prefix` + the authors' names: how a
 * model puts the layer in each block. `featureMaps: false` in the config is
 * the "head simulation only" ablation (no `.2`/`.3` maps, D' = D).
 * `scope.attend` decides how the queries attend (default: to the tokens'
 * own simulated keys and values; a decoding step: to a cache of earlier
 * tokens' plus its own).
 *
 * @example
 * ```ts
 * import { GraphBuilder, sasLayerNodes } from '@sas/core';
 * const b = new GraphBuilder();
 * const c = { kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [1, 8, 2, 4]));
 * const { output } = sasLayerNodes({ builder: b, prefix: 'blocks.0.attn.' }, q, k, v, c); // [1, 8, 8]
 * ```
 */
export function sasLayerNodes(scope: LayerScope, query: NodeRef, key: NodeRef, value: NodeRef, config: SASConfig): LayerNodes {
  const c = config;
  const features = c.featureMaps !== false;
  const qSim = simulateBranch(scope, query, 'sas_q', c, features);
  const kSim = simulateBranch(scope, key, 'sas_k', c, features);
  const vSim = simulateBranch(scope, value, 'sas_v', c, false);
  const perHead = (x: NodeRef) => transpose(x, [0, 2, 1, 3]); // [B,T,H',·] → [B,H',T,·]
  const simWidth = features ? c.simHeadDim : c.headDim;
  // The head and feature maps act per token, so a decoding cache holds the simulated keys and values as they come here.
  const attend = scope.attend ?? scaledDotProductAttention;
  const heads = attend(perHead(qSim), perHead(kSim), perHead(vSim), 1 / Math.sqrt(simWidth), c.causal);
  const attention = transpose(heads, [0, 2, 1, 3]);
  return {
    output: aggregate(scope, attention, { ...c, groups: c.simHeads / c.heads }),
    traces: { 'trace.query_sim': qSim, 'trace.key_sim': kSim, 'trace.value_sim': vSim, 'trace.attention': attention },
  };
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
  const b = new GraphBuilder(options.dtype ?? 'float32');
  const shape = [config.batch, config.seqLen, config.heads, config.headDim];
  const [query, key, value] = ['query', 'key', 'value'].map((name) => b.input(name, shape));
  const { output, traces } = sasLayerNodes({ builder: b, prefix: '' }, query, key, value, config);
  for (const [name, ref] of Object.entries(traces)) b.output(name, ref);
  b.output('output', output);
  return b.build();
}
