// ONNX messages as plain objects and their protobuf encodings. Field numbers
// follow onnx/onnx.proto3 (IR version 8); only the fields this exporter writes
// are modelled. Each encoder has the message's field table beside it.

import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { FLOAT: 1, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type OnnxDataType = (typeof ONNX_DTYPE)[keyof typeof ONNX_DTYPE];

/** AttributeProto.AttributeType values used here. */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

/** A node attribute: an int, a float, a string or a list of ints. */
export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] };

/** A dense tensor; `raw` is its little-endian element bytes. */
export interface OnnxTensor {
  readonly name: string;
  readonly dataType: OnnxDataType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

/** A graph input or output: name, element type, static shape. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly shape: readonly number[];
}

/** An operator application in the default ('' = ai.onnx) domain. */
export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attributes?: readonly OnnxAttribute[];
}

/** A whole model: one graph, one opset import. */
export interface OnnxModel {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly graph: {
    readonly name: string;
    readonly nodes: readonly OnnxNode[];
    readonly initializers: readonly OnnxTensor[];
    readonly inputs: readonly OnnxValueInfo[];
    readonly outputs: readonly OnnxValueInfo[];
  };
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * OperatorSetIdProto: domain = 1 (string), version = 2 (int64).
 *
 * @example
 * ```ts
 * import { encodeOperatorSetId } from '@sas/onnx';
 * encodeOperatorSetId('', 18); // Uint8Array [0x10, 0x12]  (the empty domain is omitted)
 * ```
 */
export function encodeOperatorSetId(domain: string, version: number): Uint8Array {
  const w = new ProtoWriter();
  if (domain) w.string(1, domain);
  return w.int64(2, version).finish();
}

/**
 * TensorProto: dims = 1 (packed int64), data_type = 2, name = 8, raw_data = 9.
 *
 * @example
 * ```ts
 * import { encodeTensor, ONNX_DTYPE } from '@sas/onnx';
 * encodeTensor({ name: 'axes', dataType: ONNX_DTYPE.INT64, dims: [1], raw: new Uint8Array(8).fill(255) });
 * ```
 */
export function encodeTensor(t: OnnxTensor): Uint8Array {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInt64(1, t.dims);
  w.int64(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
  return w.finish();
}

/**
 * AttributeProto: name = 1, f = 2 (float), i = 3 (int64), s = 4 (bytes),
 * ints = 8 (packed int64), type = 20 (AttributeType enum).
 *
 * @example
 * ```ts
 * import { encodeAttribute } from '@sas/onnx';
 * encodeAttribute({ name: 'axis', type: 'int', value: -1 });
 * ```
 */
export function encodeAttribute(a: OnnxAttribute): Uint8Array {
  const w = new ProtoWriter().string(1, a.name);
  switch (a.type) {
    case 'int':
      w.int64(3, a.value).int64(20, ATTR_TYPE.INT);
      break;
    case 'float':
      w.float32(2, a.value).int64(20, ATTR_TYPE.FLOAT);
      break;
    case 'string':
      w.string(4, a.value).int64(20, ATTR_TYPE.STRING);
      break;
    case 'ints':
      w.packedInt64(8, a.value).int64(20, ATTR_TYPE.INTS);
      break;
  }
  return w.finish();
}

/**
 * NodeProto: input = 1, output = 2 (repeated string), name = 3, op_type = 4,
 * attribute = 5 (repeated AttributeProto); domain (7) is left empty = ai.onnx.
 *
 * @example
 * ```ts
 * import { encodeNode } from '@sas/onnx';
 * encodeNode({ opType: 'Relu', inputs: ['x'], outputs: ['y'] });
 * ```
 */
export function encodeNode(n: OnnxNode): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  if (n.name) w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attributes ?? []) w.message(5, encodeAttribute(a));
  return w.finish();
}

/**
 * ValueInfoProto: name = 1, type = 2 (TypeProto). TypeProto.tensor_type = 1
 * (TypeProto.Tensor: elem_type = 1, shape = 2); TensorShapeProto.dim = 1
 * (Dimension: dim_value = 1).
 *
 * @example
 * ```ts
 * import { encodeValueInfo, ONNX_DTYPE } from '@sas/onnx';
 * encodeValueInfo({ name: 'query', elemType: ONNX_DTYPE.FLOAT, shape: [1, 4, 2, 4] });
 * ```
 */
export function encodeValueInfo(v: OnnxValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.shape) shape.message(1, new ProtoWriter().int64(1, d).finish());
  const tensorType = new ProtoWriter().int64(1, v.elemType).message(2, shape.finish()).finish();
  const type = new ProtoWriter().message(1, tensorType).finish();
  return new ProtoWriter().string(1, v.name).message(2, type).finish();
}

/**
 * GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
 *
 * @example
 * ```ts
 * import { encodeGraph, ONNX_DTYPE } from '@sas/onnx';
 * const io = (name: string) => ({ name, elemType: ONNX_DTYPE.FLOAT, shape: [3] });
 * encodeGraph({ name: 'g', nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }], initializers: [], inputs: [io('x')], outputs: [io('y')] });
 * ```
 */
export function encodeGraph(g: OnnxModel['graph']): Uint8Array {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w.finish();
}

/**
 * ModelProto: ir_version = 1, producer_name = 2, producer_version = 3,
 * doc_string = 6, graph = 7, opset_import = 8, metadata_props = 14
 * (StringStringEntryProto: key = 1, value = 2).
 *
 * @example
 * ```ts
 * import { encodeModel } from '@sas/onnx';
 * // see exportOnnx for building the OnnxModel from a core graph
 * ```
 */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter().int64(1, m.irVersion).string(2, m.producerName).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  w.message(8, encodeOperatorSetId('', m.opsetVersion));
  for (const [key, value] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, key).string(2, value).finish());
  return w.finish();
}
