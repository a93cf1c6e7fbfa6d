import { SasError } from '../errors.js';
import { ownValue } from '../names.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import { mul } from '../ops/Mul.js';
import { reduceSum } from '../ops/ReduceSum.js';
import { sub } from '../ops/Sub.js';

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
  const outId = ownValue(graph.outputs, outputName);
  if (outId === undefined) throw new SasError('E_GRAPH', `withCotangentLoss: the graph has no output '${outputName}'`);
  const { builder, refs } = GraphBuilder.from(graph);
  const out = refs[outId];
  const cotangent = builder.input(cotangentName, out.shape);
  builder.output(
    lossName,
    reduceSum(
      mul(out, cotangent),
      out.shape.map((_, i) => i),
    ),
  );
  return builder.build();
}

/**
 * Adds an input `targetName` shaped like output `outputName` and a scalar
 * output `lossName` = mean((output − target)²), the regression loss.
 *
 * @example
 * ```ts
 * import { buildLayer, withMSELoss } from '@sas/core';
 * const g = withMSELoss(buildLayer({ kind: 'mqa', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 1, causal: true }), 'output');
 * ```
 */
export function withMSELoss(graph: Graph, outputName: string, targetName = 'target', lossName = 'loss'): Graph {
  const outId = ownValue(graph.outputs, outputName);
  if (outId === undefined) throw new SasError('E_GRAPH', `withMSELoss: the graph has no output '${outputName}'`);
  const { builder, refs } = GraphBuilder.from(graph);
  const out = refs[outId];
  const diff = sub(out, builder.input(targetName, out.shape));
  const count = out.shape.reduce((a, b) => a * b, 1);
  builder.output(
    lossName,
    mul(
      reduceSum(
        mul(diff, diff),
        out.shape.map((_, i) => i),
      ),
      1 / count,
    ),
  );
  return builder.build();
}
