// Test-only: ModelProto bytes decoded with onnx-proto (the official schema)
// into the few fields the tests look at, after the schema's own verification.
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

const { onnx: schema } = onnxProto;

/** protobufjs gives int64 fields as Long objects (or numbers); tests want numbers. */
const num = (v: number | { toNumber(): number } | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

const text = new TextDecoder();

function attributeValue(a: onnx.IAttributeProto): number | string | number[] {
  switch (a.type) {
    case schema.AttributeProto.AttributeType.INT:
      return num(a.i);
    case schema.AttributeProto.AttributeType.FLOAT:
      return a.f ?? 0;
    case schema.AttributeProto.AttributeType.STRING:
      return text.decode(a.s ?? new Uint8Array());
    case schema.AttributeProto.AttributeType.INTS:
      return (a.ints ?? []).map(num);
    default:
      throw new Error(`attribute ${a.name}: type ${a.type} is not one the exporter writes`);
  }
}

function valueInfo(v: onnx.IValueInfoProto) {
  const t = v.type?.tensorType;
  return { name: v.name ?? '', elemType: t?.elemType ?? 0, shape: (t?.shape?.dim ?? []).map((d) => num(d.dimValue)) };
}

/**
 * Decodes ModelProto bytes and returns what the tests check: versions,
 * opsets, nodes (op type, inputs, outputs, attributes by name),
 * initializers (raw bytes), inputs and outputs. Throws if the bytes do not
 * decode, or if the decoded message fails the schema's `verify`.
 */
export function readModel(bytes: Uint8Array) {
  const model = schema.ModelProto.decode(bytes);
  const problem = schema.ModelProto.verify(model);
  if (problem) throw new Error(`ModelProto does not verify against onnx.proto: ${problem}`);
  const graph = model.graph ?? schema.GraphProto.create();
  return {
    irVersion: num(model.irVersion),
    producer: model.producerName,
    opsets: model.opsetImport.map((o) => ({ domain: o.domain ?? '', version: num(o.version) })),
    graphName: graph.name,
    metadata: Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value])),
    nodes: (graph.node ?? []).map((n) => ({
      opType: n.opType ?? '',
      name: n.name ?? '',
      domain: n.domain ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a)])),
    })),
    initializers: (graph.initializer ?? []).map((t) => ({
      name: t.name ?? '',
      dataType: t.dataType ?? 0,
      dims: (t.dims ?? []).map(num),
      raw: t.rawData ?? new Uint8Array(),
    })),
    inputs: (graph.input ?? []).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
  };
}
