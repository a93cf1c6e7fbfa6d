import { describe, expect, it } from 'vitest';
import { buildLayer, buildModel, grad, layerParams, type Tensor } from '@sas/core';
import {
  bundledFixturesDir,
  bundledModelFixturesDir,
  compareTensors,
  loadCaseTensors,
  loadFixtureSet,
  loadModelCaseTensors,
  loadModelFixtureSet,
} from '@sas/conformance';
import { defaultOnnxOutputs, exportOnnx, ONNX_DTYPE, ONNX_OPSET } from '@sas/onnx';
import { readModel } from '../test/read-model.js';
import { runOnnxBytes } from '../test/ort.js';

const fixtures = loadFixtureSet(bundledFixturesDir()).cases;
const sasSmall = fixtures.find((c) => c.name === 'sas-small')!;

describe('exported SAS layer model', () => {
  it("keeps the names: inputs query/key/value, params as initializers under the authors' names, output 'output'", () => {
    const tensors = loadCaseTensors(sasSmall);
    const graph = buildLayer(sasSmall.config, { dtype: 'float32' });
    const model = readModel(exportOnnx(graph, { weights: tensors.params }));
    expect(model.irVersion).toBe(8);
    expect(model.opsets).toEqual([{ domain: '', version: ONNX_OPSET }]);
    expect(model.inputs.map((i) => i.name)).toEqual(['query', 'key', 'value']);
    expect(model.inputs[0]).toEqual({ name: 'query', elemType: ONNX_DTYPE.FLOAT, shape: tensors.inputs.query.shape });
    const paramNames = layerParams(sasSmall.config).map((p) => p.name);
    const initializers = new Map(model.initializers.map((t) => [t.name, t]));
    for (const name of paramNames) {
      const t = initializers.get(name);
      expect(t, name).toBeDefined();
      expect(t!.dataType).toBe(ONNX_DTYPE.FLOAT);
      expect(t!.dims).toEqual(tensors.params[name].shape);
      // The weight bytes are the float32 rounding of the fixture's float64 values, little-endian.
      expect(Buffer.from(t!.raw).equals(Buffer.from(new Float32Array(tensors.params[name].data).buffer)), name).toBe(true);
    }
    expect(model.outputs).toEqual([{ name: 'output', elemType: ONNX_DTYPE.FLOAT, shape: tensors.expected.output.shape }]);
  });

  it("exports only 'output' unless asked: the trace.* diagnostics come when named", () => {
    const graph = buildLayer(sasSmall.config, { dtype: 'float32' });
    expect(Object.keys(graph.outputs).filter((n) => n.startsWith('trace.')).length).toBe(4);
    expect(defaultOnnxOutputs(graph)).toEqual(['output']);
    const lean = readModel(exportOnnx(graph));
    const full = readModel(exportOnnx(graph, { outputs: Object.keys(graph.outputs) }));
    expect(lean.outputs.map((o) => o.name)).toEqual(['output']);
    expect(full.outputs.map((o) => o.name).sort()).toEqual(Object.keys(graph.outputs).sort());
    // The traces' own nodes are left out, not just their outputs: the similarity maps feed 'output', trace.attention's softmax too, so only Identity nodes differ.
    expect(full.nodes.length - lean.nodes.length).toBe(4);
  });

  it('a graph with no trace outputs exports all of them by default (the model: logits and loss)', () => {
    const config = { vocab: 11, width: 8, layers: 1, heads: 2, maxSeqLen: 6, attention: { kind: 'mha' } } as const;
    const model = readModel(exportOnnx(buildModel(config, { batch: 1, seqLen: 4 })));
    expect(model.outputs.map((o) => o.name)).toEqual(['logits', 'loss']);
  });

  it('writes float64 graphs as DOUBLE with F64 weight bytes unchanged', () => {
    const tensors = loadCaseTensors(sasSmall);
    const model = readModel(exportOnnx(buildLayer(sasSmall.config, { dtype: 'float64' }), { weights: tensors.params }));
    expect(model.inputs.every((i) => i.elemType === ONNX_DTYPE.DOUBLE)).toBe(true);
    const w = model.initializers.find((t) => t.name === 'sas_q.0.weight')!;
    expect(w.dataType).toBe(ONNX_DTYPE.DOUBLE);
    expect(Buffer.from(w.raw).equals(Buffer.from(encodeElementsF64(tensors.params['sas_q.0.weight'])))).toBe(true);
    // No Conv in float64: ONNX Runtime's CPU provider has no double Conv kernel.
    expect(model.nodes.some((n) => n.opType === 'Conv')).toBe(false);
  });

  it('makes params without a value graph inputs, and exports only the requested outputs', () => {
    const graph = buildLayer(sasSmall.config, { dtype: 'float32' });
    const model = readModel(exportOnnx(graph, { outputs: ['trace.value_sim'] }));
    expect(model.outputs.map((o) => o.name)).toEqual(['trace.value_sim']);
    // Only the value branch is needed: its input and the sas_v params.
    expect(model.inputs.map((i) => i.name)).toEqual([
      'value',
      ...layerParams(sasSmall.config)
        .map((p) => p.name)
        .filter((n) => n.startsWith('sas_v.')),
    ]);
    expect(model.initializers.every((t) => !t.name.startsWith('sas_'))).toBe(true);
  });

  it('refuses a weight of the wrong shape, naming it', () => {
    const tensors = loadCaseTensors(sasSmall);
    const bad: Record<string, Tensor> = { ...tensors.params, 'sas_q.0.bias': { dtype: 'float64', shape: [1], data: new Float64Array(1) } };
    expect(() => exportOnnx(buildLayer(sasSmall.config), { weights: bad })).toThrow(/weight 'sas_q\.0\.bias' has shape \[1\]/);
  });
});

describe("every bundled fixture case, exported with its weights as initializers, reproduces the authors' numbers in ONNX Runtime", () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const tol = dtype === 'float32' ? 1e-4 : 1e-9;
    it.each(fixtures.map((c) => [c.name, c] as const))(`${dtype}: %s`, async (_name, fixture) => {
      const tensors = loadCaseTensors(fixture);
      const graph = buildLayer(fixture.config, { dtype });
      const bytes = exportOnnx(graph, { weights: tensors.params, outputs: Object.keys(tensors.expected) });
      const out = await runOnnxBytes(bytes, tensors.inputs, dtype);
      for (const [name, expected] of Object.entries(tensors.expected)) {
        const cmp = compareTensors(name, out[name], expected, tol, tol);
        expect(cmp.passed, `${name}: max abs ${cmp.maxAbs}`).toBe(true);
      }
    });
  }
});

describe('the exported char GPT (MODEL.md), a standalone ONNX file with its weights', () => {
  const [fixture] = loadModelFixtureSet(bundledModelFixturesDir()).cases;

  it("decodes and verifies against onnx.proto, writes the model ops natively, and reproduces the fixture's logits and loss in ONNX Runtime", async () => {
    const t = loadModelCaseTensors(fixture);
    const graph = buildModel(fixture.config, { batch: fixture.batch, seqLen: fixture.seqLen, dtype: 'float32' });
    const bytes = exportOnnx(graph, { weights: t.params });
    const model = readModel(bytes);
    expect(model.inputs.map((i) => i.name)).toEqual(['ids', 'targets']);
    expect(model.outputs.map((o) => o.name)).toEqual(['logits', 'loss']);
    const ops = new Set(model.nodes.map((n) => n.opType));
    for (const op of ['Gather', 'LayerNormalization', 'Tanh', 'GatherElements']) expect(ops.has(op), op).toBe(true);
    // Every initializer is read (the positions' float constant became int64 rows, and is not left behind).
    const read = new Set(model.nodes.flatMap((n) => n.inputs));
    expect(model.initializers.filter((t) => !read.has(t.name)).map((t) => t.name)).toEqual([]);
    const out = await runOnnxBytes(bytes, { ids: t.ids, targets: t.targets }, 'float32');
    expect(compareTensors('logits', out.logits, t.forward.logits, 1e-4, 1e-4).passed).toBe(true);
    expect(compareTensors('loss', out.loss, t.forward.loss, 1e-4, 1e-4).passed).toBe(true);
  });

  it('exports its gradient graph with ScatterND for the embedding gradients, matching the fixture', async () => {
    const t = loadModelCaseTensors(fixture);
    const graph = buildModel(fixture.config, { batch: fixture.batch, seqLen: fixture.seqLen, dtype: 'float32' });
    const wanted = ['grad.tok.weight', 'grad.pos.weight', 'grad.ln_f.weight'];
    const bytes = exportOnnx(grad(graph, 'loss', { wrt: Object.keys(t.params) }), { weights: t.params, outputs: wanted });
    const ops = readModel(bytes).nodes.map((n) => n.opType);
    expect(ops.filter((op) => op === 'ScatterND')).toHaveLength(2);
    const out = await runOnnxBytes(bytes, { ids: t.ids, targets: t.targets }, 'float32');
    for (const name of wanted) expect(compareTensors(name, out[name], t.grads[name], 1e-3, 1e-3).passed, name).toBe(true);
  });
});

/** The tensor's values as float64 bytes (this machine is little-endian, as ONNX raw_data is). */
function encodeElementsF64(t: Tensor): Uint8Array {
  return new Uint8Array(Float64Array.from(t.data).buffer);
}
