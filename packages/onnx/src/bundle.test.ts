import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  buildTrainingStep,
  evaluateReference,
  grad,
  GraphBuilder,
  initParams,
  layerParams,
  parseSafetensors,
  randomNormal,
  SasError,
  withCotangentLoss,
  type Graph,
  type Tensor,
} from '@sas/core';
import { bundledFixturesDir, loadCaseTensors, loadFixtureSet } from '@sas/conformance';
import { BUNDLE_WEIGHTS_FORMAT, formatGraphJSON, parseGraphBundle, serializeGraphBundle, weightsPathFor } from '@sas/onnx';

const bytesOf = (t: Tensor) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** save → load, then the loaded graph must equal the original and every weight keep its bytes. */
function roundTrip(graph: Graph, weights: Record<string, Tensor>) {
  const saved = serializeGraphBundle(graph, weights);
  const loaded = parseGraphBundle(saved.json, saved.safetensors, 'model.json');
  expect(loaded.graph).toEqual(graph);
  expect(Object.keys(loaded.weights).sort()).toEqual(Object.keys(weights).sort());
  for (const [name, t] of Object.entries(weights)) {
    expect(loaded.weights[name].dtype, name).toBe(graph.dtype);
    expect(loaded.weights[name].shape, name).toEqual(t.shape);
    expect(Buffer.from(bytesOf(loaded.weights[name])).equals(Buffer.from(bytesOf(t))), name).toBe(true);
  }
  // Saving what was loaded gives the same files, byte for byte.
  const again = serializeGraphBundle(loaded.graph, loaded.weights);
  expect(again.json).toBe(saved.json);
  expect(Buffer.from(again.safetensors).equals(Buffer.from(saved.safetensors))).toBe(true);
  return { saved, loaded };
}

describe('graph JSON + safetensors bundle', () => {
  it.each(loadFixtureSet(bundledFixturesDir()).cases.map((c) => [c.name, c] as const))(
    'round-trips the %s layer bit-exactly in float64 and float32',
    async (_name, fixture) => {
      const tensors = loadCaseTensors(fixture);
      for (const dtype of ['float64', 'float32'] as const) {
        const weights = Object.fromEntries(
          Object.entries(tensors.params).map(([k, t]) => [
            k,
            { ...t, dtype, data: dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data) },
          ]),
        );
        roundTrip(buildLayer(fixture.config, { dtype }), weights);
      }
    },
  );

  it('round-trips gradient and training-step graphs, and the loaded graph computes the same bits', async () => {
    const config = { kind: 'sas', batch: 1, seqLen: 5, heads: 2, headDim: 3, simHeads: 4, simHeadDim: 6, kernelSize: 3, causal: true } as const;
    const params = initParams(config, 4, 'float64');
    const wrt = ['query', ...layerParams(config).map((p) => p.name)];
    const g = grad(withCotangentLoss(buildLayer(config, { dtype: 'float64' }), 'output'), 'loss', { wrt });
    const { loaded } = roundTrip(g, params);
    const inputs = {
      query: randomNormal([1, 5, 2, 3], 1, 'float64'),
      key: randomNormal([1, 5, 2, 3], 2, 'float64'),
      value: randomNormal([1, 5, 2, 3], 3, 'float64'),
      cotangent: randomNormal([1, 5, 6], 4, 'float64'),
    };
    const [a, b] = await Promise.all([evaluateReference(g, { ...inputs, ...params }), evaluateReference(loaded.graph, { ...inputs, ...loaded.weights })]);
    for (const name of Object.keys(a)) expect(Array.from(b[name].data), name).toEqual(Array.from(a[name].data));
    const step = buildTrainingStep(withCotangentLoss(buildLayer(config, { dtype: 'float32' }), 'output'), 'loss', {
      kind: 'adamw',
      lr: 1e-3,
      weightDecay: 0.01,
    });
    roundTrip(step, initParams(config, 5, 'float32'));
  });

  it("keeps non-finite constants and the weights' special values (NaN, ±Inf, -0, subnormals)", () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [4]);
    const w = b.param('w', [4]);
    b.output('y', b.constant([NaN, Infinity, -Infinity, 1e-310], [4]));
    b.output('z', x);
    b.output('v', w);
    const specials = { w: { dtype: 'float64', shape: [4], data: Float64Array.from([NaN, -Infinity, -0, 5e-324]) } as Tensor };
    const { saved } = roundTrip(b.build(), specials);
    expect(saved.json).toContain('["NaN","Infinity","-Infinity",1e-310]');
  });

  it('writes one node per line, a document any JSON reader parses, and weights tagged with the format and dtype', () => {
    const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
    const graph = buildLayer(config, { dtype: 'float32' });
    const { json, safetensors } = serializeGraphBundle(graph, initParams(config, 1, 'float32'));
    // header, "nodes":[, one line per node, ], outputs, and the final newline
    expect(json.split('\n').length).toBe(graph.nodes.length + 5);
    expect(JSON.parse(json)).toMatchObject({ format: 'sas-graph', version: 2, dtype: 'float32' });
    expect(formatGraphJSON(graph)).toBe(json);
    const st = parseSafetensors(safetensors);
    expect(st.metadata).toEqual({ format: BUNDLE_WEIGHTS_FORMAT, dtype: 'float32' });
    expect([...st.storedDtypes.values()].every((d) => d === 'F32')).toBe(true);
  });

  it('refuses a missing or misshapen param on save and on load, naming it', () => {
    const config = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;
    const graph = buildLayer(config, { dtype: 'float32' });
    const weights = initParams(config, 1, 'float32');
    const { json, safetensors } = serializeGraphBundle(graph, weights);
    const { 'output_dense.bias': _dropped, ...partial } = weights;
    expect(() => serializeGraphBundle(graph, partial)).toThrow(SasError);
    expect(() => serializeGraphBundle(graph, partial)).toThrow(/no tensor for param 'output_dense\.bias' \(expected shape \[8\]\)/);
    const other = serializeGraphBundle(
      buildLayer({ ...config, heads: 1, kvHeads: 1 }, { dtype: 'float32' }),
      initParams({ ...config, heads: 1, kvHeads: 1 }, 1, 'float32'),
    );
    expect(() => parseGraphBundle(json, other.safetensors, 'm.json')).toThrow(
      /^m\.json weights: param 'output_dense\.weight' has shape \[4,4\], the graph expects \[8,8\]/,
    );
    expect(() => parseGraphBundle(json, safetensors.subarray(0, 20), 'm.json')).toThrow(/m\.json weights/);
  });

  it('puts the weights beside the graph file', () => {
    expect(weightsPathFor('out/sas.json')).toBe('out/sas.safetensors');
    expect(weightsPathFor('out/sas.graph')).toBe('out/sas.graph.safetensors');
  });
});

describe('docs/graph-format.md', () => {
  it('its example document is a valid graph that computes what the page says', async () => {
    const { readFileSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    const { graphFromJSON, tensor } = await import('@sas/core');
    const page = readFileSync(resolve(__dirname, '../../../docs/graph-format.md'), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(page)![1];
    const graph = graphFromJSON(example, 'graph-format.md');
    expect(graph.dtype).toBe('float32');
    expect(Object.keys(graph.outputs)).toEqual(['y', 'logits']);
    // y = relu(x·w): the -Infinity constant feeds an Add no output uses.
    const out = await evaluateReference(graph, {
      x: tensor([1, -1, 2, 0, 1, -3], [2, 3]),
      w: tensor(
        Array.from({ length: 12 }, (_, i) => i - 6),
        [3, 4],
      ),
    });
    // w[i][j] = 4i + j − 6; by hand: x row 0 = w0 − w1 + 2·w2, x row 1 = w1 − 3·w2.
    expect(Array.from(out.logits.data)).toEqual([0, 2, 4, 6, -8, -10, -12, -14]);
    expect(Array.from(out.y.data)).toEqual([0, 2, 4, 6, 0, 0, 0, 0]);
  });
});
