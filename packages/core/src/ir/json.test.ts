import { describe, expect, it } from 'vitest';
import {
  add,
  buildLayer,
  causalMask,
  evaluateReference,
  GraphBuilder,
  graphFromJSON,
  graphToJSON,
  initParams,
  randomNormal,
  SasError,
  softmax,
  constantValues,
} from '@sas/core';

describe('graph JSON', () => {
  it('round-trips a SAS layer exactly, and the copy computes the same bits', async () => {
    const config = { kind: 'sas', batch: 1, seqLen: 5, heads: 2, headDim: 3, simHeads: 4, simHeadDim: 6, kernelSize: 3, causal: true } as const;
    const graph = buildLayer(config, { dtype: 'float64' });
    const text = JSON.stringify(graphToJSON(graph));
    const copy = graphFromJSON(text);
    expect(copy).toEqual(graph);
    expect(JSON.stringify(graphToJSON(copy))).toBe(text);
    const feeds = {
      ...initParams(config, 1, 'float64'),
      query: randomNormal([1, 5, 2, 3], 1, 'float64'),
      key: randomNormal([1, 5, 2, 3], 2, 'float64'),
      value: randomNormal([1, 5, 2, 3], 3, 'float64'),
    };
    const [a, b] = await Promise.all([evaluateReference(graph, feeds), evaluateReference(copy, feeds)]);
    expect(Array.from(b.output.data)).toEqual(Array.from(a.output.data));
  });

  it('keeps non-finite constants (written as strings)', () => {
    const b = new GraphBuilder('float64');
    b.output('y', softmax(causalMask(b.constant([NaN, Infinity, -Infinity, 1], [2, 2]))));
    const json = JSON.parse(JSON.stringify(graphToJSON(b.build())));
    expect(json.nodes[0].attrs.value).toEqual(['NaN', 'Infinity', '-Infinity', 1]);
    expect(graphFromJSON(json).nodes[0].attrs.value).toEqual([NaN, Infinity, -Infinity, 1]);
  });

  it('keeps negative zero and feed names that look like numbers', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('Infinity', [1]);
    b.output('y', add(x, b.constant([-0], [1])));
    const copy = graphFromJSON(JSON.stringify(graphToJSON(b.build())));
    expect(copy.nodes[0].attrs.name).toBe('Infinity');
    expect(Object.is(constantValues(copy.nodes[1])[0], -0)).toBe(true);
  });

  it('refuses an unknown version, an unknown op, bad JSON and a wrong recorded shape', () => {
    const b = new GraphBuilder('float32');
    b.output('y', softmax(b.input('x', [2, 3])));
    const good = graphToJSON(b.build());
    const expectError = (doc: unknown, pattern: RegExp) => {
      expect(() => graphFromJSON(doc, 'model.json')).toThrow(SasError);
      expect(() => graphFromJSON(doc, 'model.json')).toThrow(pattern);
    };
    expectError({ ...good, version: 99 }, /^model\.json: unsupported sas-graph version 99/);
    expectError({ ...good, format: 'onnx' }, /^model\.json: not a sas-graph document/);
    expectError('{', /^model\.json: not valid JSON/);
    expectError({ ...good, nodes: [good.nodes[0], { ...good.nodes[1], op: 'Gelu' }] }, /^model\.json: graph node 1 \(Gelu\): unknown op 'Gelu'/);
    expectError({ ...good, nodes: [good.nodes[0], { ...good.nodes[1], shape: [3, 2] }] }, /recorded shape \[3,2\] but the op infers \[2,3\]/);
  });
});

describe('graph JSON versions', () => {
  const config = { kind: 'sas', batch: 1, seqLen: 4, heads: 2, headDim: 3, simHeads: 4, simHeadDim: 6, kernelSize: 3, causal: true } as const;

  it('writes version 2 with the Attention node, and version 1 with it lowered to primitives computing the same values', async () => {
    const graph = buildLayer(config, { dtype: 'float64' });
    const v2 = graphToJSON(graph);
    expect(v2.version).toBe(2);
    expect(v2.nodes.some((n) => n.op === 'Attention')).toBe(true);
    const v1 = JSON.parse(JSON.stringify(graphToJSON(graph, { version: 1 })));
    expect(v1.version).toBe(1);
    expect(v1.nodes.some((n: { op: string }) => n.op === 'Attention' || n.op === 'AttentionGrad')).toBe(false);
    const feeds = {
      query: randomNormal([1, 4, 2, 3], 1, 'float64'),
      key: randomNormal([1, 4, 2, 3], 2, 'float64'),
      value: randomNormal([1, 4, 2, 3], 3, 'float64'),
      ...initParams(config, 4, 'float64'),
    };
    const [a, b] = await Promise.all([evaluateReference(graph, feeds), evaluateReference(graphFromJSON(v1), feeds)]);
    expect([...b.output.data]).toEqual([...a.output.data]);
  });

  it('refuses a composite op in a version 1 document, naming the node and the version it needs', () => {
    const json = graphToJSON(buildLayer(config));
    const at = json.nodes.findIndex((n) => n.op === 'Attention');
    try {
      graphFromJSON({ ...json, version: 1 }, 'old.json');
      throw new Error('expected a SasError');
    } catch (e) {
      expect(e).toBeInstanceOf(SasError);
      expect((e as SasError).message).toBe(`old.json: node ${at}: op 'Attention' is not in sas-graph version 1 (it came in version 2)`);
    }
  });
});
