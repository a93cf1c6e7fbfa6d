import { describe, expect, it } from 'vitest';
import {
  createReferenceBackend,
  evaluateReference,
  flip,
  GraphBuilder,
  graphFromJSON,
  graphToJSON,
  randomNormal,
  reduceMax,
  reduceSum,
  SasError,
  verifyGraph,
  type Graph,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** A graph y = Flip(ReduceSum(x, axes, keepDims), axis) over x [2, 3, 4], written with the given (maybe negative) axes. */
function flipOfSum(axes: number[], axis: number): Graph {
  const b = new GraphBuilder('float64');
  b.output('y', flip(reduceSum(b.input('x', [2, 3, 4]), axes, true), axis));
  return b.build();
}

describe('attributes are canonical once, in core', () => {
  it('the builder stores axes non-negative and sorted', () => {
    const g = flipOfSum([-1, 0], -2);
    expect(g.nodes[1].attrs).toEqual({ axes: [0, 2], keepDims: true });
    expect(g.nodes[2].attrs).toEqual({ axis: 1 });
    const b = new GraphBuilder();
    expect(b.nodeOf(reduceMax(b.input('x', [5, 6]), [-1]))).toMatchObject({ attrs: { axes: [1] } });
  });

  it('negative and positive spellings build the same graph', () => {
    expect(graphToJSON(flipOfSum([-1, 0], -2))).toEqual(graphToJSON(flipOfSum([0, 2], 1)));
  });

  it('graphFromJSON canonicalises files written with negative axes (older files, other tools)', async () => {
    const json = graphToJSON(flipOfSum([0, 2], 1));
    const old = {
      ...json,
      nodes: json.nodes.map((n) =>
        n.op === 'ReduceSum' ? { ...n, attrs: { axes: [2, -3], keepDims: true } } : n.op === 'Flip' ? { ...n, attrs: { axis: -2 } } : n,
      ),
    };
    const read = graphFromJSON(JSON.stringify(old), 'old.json');
    expect(read.nodes[1].attrs).toEqual({ axes: [0, 2], keepDims: true });
    expect(read.nodes[2].attrs).toEqual({ axis: 1 });
    const x = randomNormal([2, 3, 4], 1, 'float64');
    const [got, want] = await Promise.all([evaluateReference(read, { x }), evaluateReference(flipOfSum([0, 2], 1), { x })]);
    expect(Array.from(got.y.data)).toEqual(Array.from(want.y.data));
  });

  it('graphFromJSON names the node whose axis is out of range', () => {
    const json = graphToJSON(flipOfSum([0], 1));
    const bad = { ...json, nodes: json.nodes.map((n) => (n.op === 'Flip' ? { ...n, attrs: { axis: 3 } } : n)) };
    const e = sasError(() => graphFromJSON(bad, 'bad.json'));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('bad.json: graph node 2 (Flip): Flip: axis 3 is out of range for rank 3 (input [1,3,4])');
  });

  it('verifyGraph and every backend refuse a hand-made graph with a negative axis', async () => {
    const g = flipOfSum([0], 1);
    const handMade: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Flip' ? { ...n, attrs: { axis: -2 } } : n)) };
    const e = sasError(() => verifyGraph(handMade));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toContain('graph node 2 (Flip): attributes {"axis":-2} are not in canonical form {"axis":1}');
    const run = createReferenceBackend().run(handMade, { x: randomNormal([2, 3, 4], 1, 'float64') });
    await expect(run).rejects.toThrow(SasError);
    await expect(createReferenceBackend().run(handMade, { x: randomNormal([2, 3, 4], 1, 'float64') })).rejects.toThrow(
      /backend 'reference': node 2 \(Flip\) has attributes \{"axis":-2\}, not the canonical \{"axis":1\}/,
    );
  });

  it('checks attribute types from the schema, naming the op, the attribute, what was expected and what came', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [2, 3]);
    const e = sasError(() => b.applyByName('Flip', [x], { axis: 'last' }));
    expect(e.code).toBe('E_ATTR');
    expect(e.message).toBe('Flip: axis must be an integer axis, got "last"');
    expect(sasError(() => b.applyByName('Flip', [x])).message).toBe('Flip: axis must be an integer axis, got nothing');
    expect(sasError(() => b.applyByName('AttentionGrad', [x, x, x, x, x], { scale: 1, causal: true, wrt: 'x' })).code).toBe('E_ATTR');
  });
});
