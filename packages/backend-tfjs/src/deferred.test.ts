import * as tf from '@tensorflow/tfjs-core';
import { GraphBuilder, isOpNode, matMul, reduceSum, type GraphNode, type OpName, type OpNode } from '@sas/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeferredProduct, withDeferredProducts } from './deferred.js';
import { TFJS_KERNELS } from './kernels/index.js';
import { activateTfjsMode } from './modes.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

/** `node` as a node of `op` (what the executor hands that op's kernel), or a failed test. */
function opNode<N extends OpName>(node: GraphNode, op: N): OpNode<N> {
  if (!isOpNode(node, op)) throw new Error(`expected a ${op} node, got ${node.op}`);
  return node;
}

// The numbers of deferred and folded products are checked against the
// reference in kernels.test.ts; here: that the folding really happens.
describe.each(NODE_TEST_MODES)('deferred products on tfjs %s', (mode) => {
  beforeAll(async () => {
    await activateTfjsMode(mode);
  });

  it('defers a batched MatMul larger than its operands and folds a ReduceSum over its batch', () => {
    const b = new GraphBuilder('float32');
    const p = matMul(b.input('a', [4, 2, 16]), b.input('g', [4, 2, 8]), true, false); // [4, 16, 8]
    const s = reduceSum(p, [0]);
    const graph = b.build();
    const [pNode, sNode] = [opNode(graph.nodes[p.id], 'MatMul'), opNode(graph.nodes[s.id], 'ReduceSum')];
    const table = withDeferredProducts(TFJS_KERNELS);
    const a = tf.randomNormal([4, 2, 16], 0, 1, 'float32', 1);
    const g = tf.randomNormal([4, 2, 8], 0, 1, 'float32', 2);
    const start = tf.memory().numTensors;
    const deferred = table.MatMul([a, g], pNode);
    expect(deferred).toBeInstanceOf(DeferredProduct);
    const folded = (deferred as DeferredProduct).sumOverBatch();
    expect(folded?.shape).toEqual([16, 8]);
    const error = tf.tidy(() => tf.max(tf.abs(tf.sub(folded!, tf.sum(tf.matMul(a, g, true, false), 0)))).dataSync()[0]);
    expect(error).toBeLessThan(1e-5);
    const summed = table.ReduceSum([deferred], sNode) as tf.Tensor;
    expect(summed.shape).toEqual([16, 8]);
    tf.dispose([folded!, summed]);
    (deferred as DeferredProduct).dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('does not fold when an operand was broadcast over the batch, and keeps small products eager', () => {
    const broadcast = new DeferredProduct(tf.ones([3, 16, 2]), tf.ones([2, 12]), false, false, [3, 16, 12]);
    expect(broadcast.sumOverBatch()).toBeUndefined();
    expect(broadcast.value().shape).toEqual([3, 16, 12]);
    broadcast.dispose();
    const b = new GraphBuilder('float32');
    const p = matMul(b.input('q', [2, 8, 8]), b.input('k', [2, 8, 8]), false, true);
    const out = withDeferredProducts(TFJS_KERNELS).MatMul([tf.ones([2, 8, 8]), tf.ones([2, 8, 8])], opNode(b.build().nodes[p.id], 'MatMul'));
    expect(out).toBeInstanceOf(tf.Tensor);
  });
});
