import * as tf from '@tensorflow/tfjs-core';
import { applyRewrites, GraphBuilder, isOpNode, matMul, reduceSum, type GraphNode, type OpName, type OpNode } from '@sas/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_CONTRACTION, DeferredProduct, TFJS_FUSION } from './deferred.js';
import { activateTfjsMode } from './modes.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

/** `node` as a node of `op` (what the executor hands that op's kernel), or a failed test. */
function opNode<N extends OpName>(node: GraphNode, op: N): OpNode<N> {
  if (!isOpNode(node, op)) throw new Error(`expected a ${op} node, got ${node.op}`);
  return node;
}

// The numbers of deferred and folded products are checked against the
// reference in kernels.test.ts; here: that the folding really happens.
describe('the batch-contraction rewrite', () => {
  const plan = (a: number[], g: number[], axes: number[], extraReader = false) => {
    const b = new GraphBuilder('float32');
    const p = matMul(b.input('a', a), b.input('g', g), true, false);
    const s = reduceSum(p, axes);
    b.output('s', s);
    if (extraReader) b.output('p', p);
    const graph = b.build();
    return { rewritten: applyRewrites(graph, [BATCH_CONTRACTION]), p: p.id, s: s.id };
  };

  it('absorbs a batched product larger than its operands into a ReduceSum over its batch', () => {
    const { rewritten, p, s } = plan([4, 2, 16], [4, 2, 8], [0]);
    expect([...rewritten.fused.keys()]).toEqual([s]);
    expect([...rewritten.absorbed]).toEqual([p]);
  });

  it('leaves broadcast operands, other axes, small products and products read elsewhere alone', () => {
    expect(plan([1, 2, 16], [4, 2, 8], [0]).rewritten.fused.size).toBe(0);
    expect(plan([4, 2, 16], [4, 2, 8], [1]).rewritten.fused.size).toBe(0);
    expect(plan([4, 16, 2], [4, 16, 2], [0]).rewritten.fused.size).toBe(0);
    expect(plan([4, 2, 16], [4, 2, 8], [0], true).rewritten.fused.size).toBe(0);
  });
});

// The numbers of folded products are checked against the reference in kernels.test.ts
// (op-cases); here: that the folding really happens, and frees what it holds.
describe.each(NODE_TEST_MODES)('deferred products on tfjs %s', (mode) => {
  beforeAll(async () => {
    await activateTfjsMode(mode);
  });

  it('folds the sum over the batch from the deferred product, matching tf.sum of the products', () => {
    const b = new GraphBuilder('float32');
    const p = matMul(b.input('a', [4, 2, 16]), b.input('g', [4, 2, 8]), true, false); // [4, 16, 8]
    const s = reduceSum(p, [0]);
    const graph = b.build();
    const [pNode, sNode] = [opNode(graph.nodes[p.id], 'MatMul'), opNode(graph.nodes[s.id], 'ReduceSum')];
    const a = tf.randomNormal([4, 2, 16], 0, 1, 'float32', 1);
    const g = tf.randomNormal([4, 2, 8], 0, 1, 'float32', 2);
    const start = tf.memory().numTensors;
    const deferred = TFJS_FUSION.absorb([a, g], pNode, undefined, () => {
      throw new Error('the product must not be computed');
    });
    expect(deferred).toBeInstanceOf(DeferredProduct);
    const summed = TFJS_FUSION.kernels['batch-contraction']([deferred], sNode, { kind: 'batch-contraction' }, undefined) as tf.Tensor;
    expect(summed.shape).toEqual([16, 8]);
    const error = tf.tidy(() => tf.max(tf.abs(tf.sub(summed, tf.sum(tf.matMul(a, g, true, false), 0)))).dataSync()[0]);
    expect(error).toBeLessThan(1e-5);
    summed.dispose();
    (deferred as DeferredProduct).dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([a, g]);
  });

  it('does not fold when an operand was broadcast over the batch (the fused kernel declines)', () => {
    const broadcast = new DeferredProduct(tf.ones([3, 16, 2]), tf.ones([2, 12]), false, false, [3, 16, 12]);
    expect(broadcast.sumOverBatch()).toBeUndefined();
    expect(broadcast.value().shape).toEqual([3, 16, 12]);
    broadcast.dispose();
  });
});
