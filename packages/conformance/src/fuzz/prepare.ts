import {
  allocate,
  buildLayer,
  grad,
  GraphBuilder,
  layerParams,
  initParams,
  randomNormal,
  withCotangentLoss,
  type DType,
  type Graph,
  type Tensor,
} from '@sas/core';
import type { FuzzCase, LayerFuzzCase, OpFuzzCase, ValueDomain } from './cases.js';

/** A case made runnable: one graph and feeds for the backend, the same in float64 for the oracle. */
export interface PreparedCase {
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
  /** The float64 twin of `graph`, for the reference. */
  readonly oracleGraph: Graph;
  /** The same values as `feeds` (already rounded to the backend's dtype), held in float64. */
  readonly oracleFeeds: Record<string, Tensor>;
  /** Outputs to compare: forward ones, then `grad.*` when gradients were asked for. */
  readonly outputs: readonly string[];
}

/**
 * Builds the backend's graph and the oracle's float64 twin for a case, with
 * feeds that hold exactly the same numbers on both sides (rounded to the
 * backend's dtype first), so any difference is the backend's arithmetic.
 *
 * @example
 * ```ts
 * import { prepareFuzzCase } from '@sas/conformance/fuzz';
 * const p = prepareFuzzCase({ kind: 'op', op: 'Exp', shapes: [[2, 3]], attrs: {}, domains: ['normal'], seed: 1 }, 'float32', true);
 * p.outputs; // ['y', 'grad.x0']
 * ```
 */
export function prepareFuzzCase(c: FuzzCase, dtype: DType, grads: boolean): PreparedCase {
  const build = (d: DType) => (c.kind === 'layer' ? layerGraph(c, d, grads) : opGraph(c, d, grads));
  const graph = build(dtype);
  const values = c.kind === 'layer' ? layerValues(c, graph) : opValues(c);
  if (grads) {
    const out = graph.nodes[graph.outputs[c.kind === 'layer' ? 'output' : 'y']];
    values.cotangent = normal(out.shape, c.seed * 7 + 5, 1);
  }
  const feeds: Record<string, Tensor> = {};
  const oracleFeeds: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(values)) {
    const rounded = allocate(dtype, t.data.length);
    rounded.set(t.data);
    feeds[name] = { dtype, shape: t.shape, data: rounded };
    oracleFeeds[name] = { dtype: 'float64', shape: t.shape, data: Float64Array.from(rounded) };
  }
  const outputs = Object.keys(graph.outputs).filter((n) => n !== 'loss');
  return { graph, feeds, oracleGraph: build('float64'), oracleFeeds, outputs };
}

function layerGraph(c: LayerFuzzCase, dtype: DType, grads: boolean): Graph {
  const layer = buildLayer(c.config, { dtype });
  if (!grads) return layer;
  const wrt = ['query', 'key', 'value', ...layerParams(c.config).map((p) => p.name)];
  return grad(withCotangentLoss(layer, 'output'), 'loss', { wrt });
}

function opGraph(c: OpFuzzCase, dtype: DType, grads: boolean): Graph {
  const b = new GraphBuilder(dtype);
  const inputs = c.shapes.map((s, i) => b.input(`x${i}`, s));
  b.output('y', b.applyByName(c.op, inputs, c.attrs));
  const g = b.build();
  return grads ? grad(withCotangentLoss(g, 'y'), 'loss', { wrt: inputs.map((_, i) => `x${i}`) }) : g;
}

function layerValues(c: LayerFuzzCase, graph: Graph): Record<string, Tensor> {
  // Shapes from the graph itself: GQA/MQA key and value have kvHeads heads.
  const shapeOf = (name: string) => graph.nodes.find((n) => n.op === 'Input' && n.attrs.name === name)!.shape;
  const values: Record<string, Tensor> = {};
  ['query', 'key', 'value'].forEach((name, i) => {
    values[name] = normal(shapeOf(name), c.seed * 7 + 1 + i, c.inputScale);
  });
  for (const [name, w] of Object.entries(initParams(c.config, c.seed * 7 + 4, 'float64'))) {
    values[name] = { ...w, data: w.data.map((v) => v * c.weightScale) };
  }
  return values;
}

function opValues(c: OpFuzzCase): Record<string, Tensor> {
  const values: Record<string, Tensor> = {};
  c.shapes.forEach((shape, i) => {
    values[`x${i}`] = inDomain(normal(shape, c.seed * 7 + i + 1, 1), c.domains[i] ?? 'normal');
  });
  return values;
}

function normal(shape: readonly number[], seed: number, scale: number): Tensor {
  const t = randomNormal(shape, seed, 'float64');
  return scale === 1 ? t : { ...t, data: t.data.map((v) => v * scale) };
}

function inDomain(t: Tensor, domain: ValueDomain): Tensor {
  const f = {
    normal: (v: number) => v,
    positive: (v: number) => Math.abs(v) + 0.1,
    nonzero: (v: number) => (v < 0 ? v - 0.5 : v + 0.5),
    integers: (v: number) => Math.max(-1, Math.min(1, Math.round(v))),
  }[domain];
  return { ...t, data: t.data.map(f) };
}
