import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeElements, encodeModel, ONNX_DTYPE, type OnnxModel } from '@sas/onnx';
import { readModel } from '../test/read-model.js';

const { onnx } = onnxProto;

// y = Softmax(ReduceSum(x, axes=[-1], keepdims=1) · c, axis=-1), with every attribute kind the exporter
// writes (int, float, string, ints) and an int64 and a float initializer.
const io = (name: string, shape: number[]) => ({ name, elemType: ONNX_DTYPE.FLOAT, shape });
const MODEL: OnnxModel = {
  irVersion: 8,
  opsetVersion: 18,
  producerName: 'test',
  producerVersion: '1.2.3',
  docString: 'a doc string',
  graph: {
    name: 'g',
    nodes: [
      { opType: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['s'], name: 'sum', attributes: [{ name: 'keepdims', type: 'int', value: 1 }] },
      { opType: 'Mul', inputs: ['s', 'c'], outputs: ['m'] },
      { opType: 'Transpose', inputs: ['m'], outputs: ['t'], attributes: [{ name: 'perm', type: 'ints', value: [1, 0] }] },
      { opType: 'LeakyRelu', inputs: ['t'], outputs: ['l'], attributes: [{ name: 'alpha', type: 'float', value: 0.25 }] },
      { opType: 'Pad', inputs: ['l', 'pads'], outputs: ['y'], attributes: [{ name: 'mode', type: 'string', value: 'edge' }] },
    ],
    initializers: [
      { name: 'axes', dataType: ONNX_DTYPE.INT64, dims: [1], raw: encodeElements([-1], 'int64') },
      { name: 'pads', dataType: ONNX_DTYPE.INT64, dims: [4], raw: encodeElements([0, 0, 0, 1], 'int64') },
      { name: 'c', dataType: ONNX_DTYPE.FLOAT, dims: [], raw: encodeElements([-2], 'float32') },
    ],
    inputs: [io('x', [2, 3])],
    outputs: [io('y', [1, 3])],
  },
  metadata: { config: '{"a":1}', note: 'ü' },
};

describe('encodeModel (onnx-proto: the official onnx.proto schema)', () => {
  it('uses the schema’s TensorProto.DataType numbers', () => {
    const { DataType } = onnx.TensorProto;
    expect(ONNX_DTYPE).toEqual({ FLOAT: DataType.FLOAT, INT64: DataType.INT64, BOOL: DataType.BOOL, DOUBLE: DataType.DOUBLE });
  });

  it('writes bytes that decode, field for field, into the model it was given, and verify against the schema', () => {
    const m = readModel(encodeModel(MODEL));
    expect(m).toMatchObject({ irVersion: 8, producer: 'test', opsets: [{ domain: '', version: 18 }], graphName: 'g', metadata: MODEL.metadata });
    expect(m.nodes.map((n) => [n.opType, n.inputs, n.outputs, n.attributes])).toEqual([
      ['ReduceSum', ['x', 'axes'], ['s'], { keepdims: 1 }],
      ['Mul', ['s', 'c'], ['m'], {}],
      ['Transpose', ['m'], ['t'], { perm: [1, 0] }],
      ['LeakyRelu', ['t'], ['l'], { alpha: 0.25 }],
      ['Pad', ['l', 'pads'], ['y'], { mode: 'edge' }],
    ]);
    expect(m.nodes[0].name).toBe('sum');
    expect(m.initializers.map((t) => [t.name, t.dataType, t.dims, Array.from(t.raw)])).toEqual(
      MODEL.graph.initializers.map((t) => [t.name, t.dataType, t.dims, Array.from(t.raw)]),
    );
    expect(m.inputs).toEqual([{ name: 'x', elemType: ONNX_DTYPE.FLOAT, shape: [2, 3] }]);
    expect(m.outputs).toEqual([{ name: 'y', elemType: ONNX_DTYPE.FLOAT, shape: [1, 3] }]);
    expect(onnx.ModelProto.decode(encodeModel(MODEL)).docString).toBe('a doc string');
  });

  it('gives ONNX Runtime a model it loads and runs as written', async () => {
    const session = await ort.InferenceSession.create(encodeModel(MODEL));
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, -1, 0, 4), [2, 3]) });
      // Sums [6, 3] · −2 = [−12, −6], transposed to [1, 2], LeakyRelu 0.25 → [−3, −1.5], edge-padded on the right.
      expect(y.dims).toEqual([1, 3]);
      expect(Array.from(y.data as Float32Array)).toEqual([-3, -1.5, -1.5]);
    } finally {
      await session.release();
    }
  });
});
