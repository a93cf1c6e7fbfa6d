import { SasError } from '../errors.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import { mul } from '../ops/Mul.js';
import { reduceSum } from '../ops/ReduceSum.js';

/**
 * Adds an input `cotangentName` shaped like output `outputName` and a scalar
 * output `lossName` = Σ output·cotangent: the loss whose gradients equal the
 * VJP with that cotangent (how the fixtures' `grad.*` were made).
 *
 * @example
 * ```ts
 * import { buildLayer, withCotangentLoss, grad } from '@sas/core';
 * const layer = buildLayer({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true }, { dtype: 'float64' });
 * const training = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt: ['query', 'output_dense.weight'] });
 * ```
 */
export function withCotangentLoss(graph: Graph, outputName: string, cotangentName = 'cotangent', lossName = 'loss'): Graph {
  const outId = graph.outputs[outputName];
  if (outId === undefined) throw new SasError('E_GRAPH', `withCotangentLoss: the graph has no output '${outputName}'`);
  const { builder, refs } = GraphBuilder.from(graph);
  const out = refs[outId];
  const cotangent = builder.input(cotangentName, out.shape);
  builder.output(lossName, reduceSum(mul(out, cotangent), out.shape.map((_, i) => i)));
  return builder.build();
}
