import type * as tf from '@tensorflow/tfjs-core';
import { buildSAS, evaluateReference, tensor, type Tensor } from '@sas/core';
import { SASAttention } from '../layer/SASAttention.js';
import { projectHeads, type SASMultiHeadAttention } from '../layer/SASMultiHeadAttention.js';

/** A small configuration the tests share: H = 2, D = 4, H' = 4, D' = 8. */
export const MHA = { numHeads: 2, keyDim: 4, simHeads: 4, simKeyDim: 8, kernelSize: 3 } as const;

/** The layer's weight whose name ends with `/name` (tfjs prefixes the layer name). */
export function weightOf(layer: SASMultiHeadAttention, name: string): tf.Tensor {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${name}`));
  if (!w) throw new Error(`no weight …/${name} among ${layer.weights.map((v) => v.originalName).join(', ')}`);
  return w.read();
}

/** Projects `x` with the layer's `name` projection, through the same op as the layer. */
export function projectLike(layer: SASMultiHeadAttention, name: 'query' | 'key' | 'value', x: tf.Tensor): tf.Tensor {
  return projectHeads(x, weightOf(layer, `${name}/kernel`), layer.useBias ? weightOf(layer, `${name}/bias`) : undefined);
}

/** A pre-projected `SASAttention` holding the same SAS weights as `layer` (keyDim must equal valueDim). */
export function preProjectedTwin(layer: SASMultiHeadAttention, causal: boolean): SASAttention {
  const twin = new SASAttention({
    heads: layer.numHeads,
    headDim: layer.keyDim,
    simHeads: layer.simHeads,
    simHeadDim: layer.simKeyDim,
    kernelSize: layer.kernelSize,
    causal,
  });
  twin.loadAuthorsWeights(layer.authorsWeights());
  return twin;
}

/** x [B, T, E] · kernel [E, H, D] + bias, in float64 on the host: [B, T, H, D]. */
function hostProject(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | undefined): Tensor {
  const [batch, length, features] = x.shape;
  const [, heads, dim] = kernel.shape;
  const xs = x.dataSync();
  const ks = kernel.dataSync();
  const bs = bias?.dataSync();
  const width = heads * dim;
  const out = new Float64Array(batch * length * width);
  for (let row = 0; row < batch * length; row++) {
    for (let j = 0; j < width; j++) {
      let sum = bs ? bs[j] : 0;
      for (let e = 0; e < features; e++) sum += xs[row * features + e] * ks[e * width + j];
      out[row * width + j] = sum;
    }
  }
  return tensor(out, [batch, length, heads, dim]);
}

/** Rows [from, from + count) of a [B, T, …] host tensor, zero-padded to `length` rows. */
function rows(t: Tensor, from: number, count: number, length: number): Tensor {
  const [batch, total, ...rest] = t.shape;
  const inner = rest.reduce((a, b) => a * b, 1);
  const out = new Float64Array(batch * length * inner);
  for (let b = 0; b < batch; b++) {
    out.set(t.data.subarray((b * total + from) * inner, (b * total + from + count) * inner), b * length * inner);
  }
  return tensor(out, [batch, length, ...rest]);
}

/**
 * The layer's output computed by @sas/core's float64 reference interpreter
 * from the layer's own weights: projections on the host in float64, then
 * `buildSAS` (which needs one length) on the keys' length. Queries are run
 * in blocks of Tk rows, zero-padded: every query row is computed on its own
 * (per-token simulation, one softmax row each), so the rows of a padded
 * block are the rows of the cross-attention. Causal needs Tq ≤ Tk (one
 * block, where Keras's top-left causal mask is the square one).
 */
export async function referenceOutput(
  layer: SASMultiHeadAttention,
  inputs: { query: tf.Tensor; value: tf.Tensor; key: tf.Tensor },
  causal: boolean,
): Promise<Float64Array> {
  if (layer.keyDim !== layer.valueDim) throw new Error('referenceOutput: buildSAS needs keyDim = valueDim');
  const project = (name: 'query' | 'key' | 'value') =>
    hostProject(inputs[name], weightOf(layer, `${name}/kernel`), layer.useBias ? weightOf(layer, `${name}/bias`) : undefined);
  const [q, k, v] = [project('query'), project('key'), project('value')];
  const [batch, tq] = q.shape;
  const tk = k.shape[1];
  if (causal && tq > tk) throw new Error('referenceOutput: causal needs Tq ≤ Tk');
  const params = Object.fromEntries(Object.entries(layer.authorsWeights()).map(([n, t]) => [n, tensor(Float64Array.from(t.data), t.shape)]));
  if (!layer.useBias) params['output_dense.bias'] = tensor(new Float64Array(layer.numHeads * layer.valueDim), [layer.numHeads * layer.valueDim]);
  const graph = buildSAS(
    {
      kind: 'sas',
      batch,
      seqLen: tk,
      heads: layer.numHeads,
      headDim: layer.keyDim,
      simHeads: layer.simHeads,
      simHeadDim: layer.simKeyDim,
      kernelSize: layer.kernelSize,
      causal,
    },
    { dtype: 'float64' },
  );
  const width = layer.numHeads * layer.valueDim;
  const out = new Float64Array(batch * tq * width);
  for (let from = 0; from < tq; from += tk) {
    const count = Math.min(tk, tq - from);
    const { output } = await evaluateReference(graph, { query: rows(q, from, count, tk), key: k, value: v, ...params }, { outputs: ['output'] });
    for (let b = 0; b < batch; b++) out.set(output.data.subarray(b * tk * width, (b * tk + count) * width), (b * tq + from) * width);
  }
  return out;
}
