// The ONNX model as the exporter builds it (plain objects: nodes, constant
// tensors, typed attributes) and its encoding through `onnx-proto`, the
// official onnx.proto schema compiled by protobufjs: field numbers, wire types
// and the enum values come from the schema, not from this file.

import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

const { onnx: schema } = onnxProto;
const AttributeType = schema.AttributeProto.AttributeType;

/**
 * The TensorProto.DataType values the exporter writes. Plain numbers rather
 * than the schema's enum so that this package's type declarations do not
 * pull in onnx-proto's (which need `skipLibCheck`); a test checks them
 * against the schema.
 */
export const ONNX_DTYPE = Object.freeze({ FLOAT: 1, INT64: 7, BOOL: 9, DOUBLE: 11 } as const);
export type OnnxDataType = (typeof ONNX_DTYPE)[keyof typeof ONNX_DTYPE];

/** A node attribute: an int, a float, a string or a list of ints. */
export type OnnxAttribute =
  | { readonly name: string; readonly type: 'int'; readonly value: number }
  | { readonly name: string; readonly type: 'float'; readonly value: number }
  | { readonly name: string; readonly type: 'string'; readonly value: string }
  | { readonly name: string; readonly type: 'ints'; readonly value: readonly number[] };

/** A dense tensor; `raw` is its little-endian element bytes (TensorProto.raw_data). */
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

/** An operator application in the default ('' = ai.onnx) domain; optional outputs left out are absent. */
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

const utf8 = new TextEncoder();

function attributeProto(a: OnnxAttribute): onnx.IAttributeProto {
  switch (a.type) {
    case 'int':
      return { name: a.name, type: AttributeType.INT, i: a.value };
    case 'float':
      return { name: a.name, type: AttributeType.FLOAT, f: a.value };
    case 'string':
      return { name: a.name, type: AttributeType.STRING, s: utf8.encode(a.value) };
    case 'ints':
      return { name: a.name, type: AttributeType.INTS, ints: [...a.value] };
  }
}

const valueInfoProto = (v: OnnxValueInfo): onnx.IValueInfoProto => ({
  name: v.name,
  type: { tensorType: { elemType: v.elemType, shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
});

/**
 * The model as onnx.proto's ModelProto message (a plain object of the
 * schema's interface), ready for `onnx.ModelProto.encode`. Not exported:
 * onnx-proto's types stay out of this package's declarations.
 */
function toModelProto(m: OnnxModel): onnx.IModelProto {
  const g = m.graph;
  return {
    irVersion: m.irVersion,
    producerName: m.producerName,
    producerVersion: m.producerVersion,
    ...(m.docString ? { docString: m.docString } : {}),
    opsetImport: [{ domain: '', version: m.opsetVersion }],
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        input: [...n.inputs],
        output: [...n.outputs],
        ...(n.name ? { name: n.name } : {}),
        opType: n.opType,
        attribute: (n.attributes ?? []).map(attributeProto),
      })),
      initializer: g.initializers.map((t) => ({ name: t.name, dataType: t.dataType, dims: [...t.dims], rawData: t.raw })),
      input: g.inputs.map(valueInfoProto),
      output: g.outputs.map(valueInfoProto),
    },
    metadataProps: Object.entries(m.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/**
 * ModelProto bytes of a model (protobuf wire format, as `onnx.save` writes).
 *
 * @example
 * ```ts
 * import { encodeModel, ONNX_DTYPE } from '@sas/onnx';
 * const io = (name: string) => ({ name, elemType: ONNX_DTYPE.FLOAT, shape: [3] });
 * const graph = { name: 'g', nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }], initializers: [], inputs: [io('x')], outputs: [io('y')] };
 * const bytes = encodeModel({ irVersion: 8, opsetVersion: 18, producerName: 'me', producerVersion: '1', graph }); // ONNX Runtime loads these
 * ```
 */
export function encodeModel(m: OnnxModel): Uint8Array {
  return schema.ModelProto.encode(toModelProto(m)).finish();
}
