// Test-only protobuf decoder: an independent reader to check what the writer
// put where (field numbers per onnx.proto3). Not shipped.

export type FieldValue = bigint | Uint8Array;

/** Decodes one message level: field number → values in order (varints as bigint, everything else as bytes). */
export function decodeMessage(bytes: Uint8Array): Map<number, FieldValue[]> {
  const fields = new Map<number, FieldValue[]>();
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    let value: FieldValue;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      value = bytes.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 5) {
      value = bytes.subarray(pos, pos + 4);
      pos += 4;
    } else if (wire === 1) {
      value = bytes.subarray(pos, pos + 8);
      pos += 8;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (!fields.has(field)) fields.set(field, []);
    fields.get(field)!.push(value);
  }
  return fields;
}

const text = new TextDecoder();

/** The strings of a repeated/singular string field. */
export function strings(m: Map<number, FieldValue[]>, field: number): string[] {
  return (m.get(field) ?? []).map((v) => text.decode(v as Uint8Array));
}

/** The sub-messages of a field, decoded. */
export function messages(m: Map<number, FieldValue[]>, field: number): Map<number, FieldValue[]>[] {
  return (m.get(field) ?? []).map((v) => decodeMessage(v as Uint8Array));
}

/** A singular varint field as a number (0 when absent, as proto3 defaults). */
export function int(m: Map<number, FieldValue[]>, field: number): number {
  const v = m.get(field)?.[0];
  return v === undefined ? 0 : Number(BigInt.asIntN(64, v as bigint));
}

/** A packed repeated int64 field. */
export function packedInts(m: Map<number, FieldValue[]>, field: number): number[] {
  const out: number[] = [];
  for (const chunk of m.get(field) ?? []) {
    if (typeof chunk === 'bigint') {
      out.push(Number(BigInt.asIntN(64, chunk)));
      continue;
    }
    out.push(...decodePackedVarints(chunk));
  }
  return out;
}

function decodePackedVarints(bytes: Uint8Array): number[] {
  const vals: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = bytes[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    vals.push(Number(BigInt.asIntN(64, result)));
  }
  return vals;
}

/** The parts of a ModelProto the tests look at. */
export function readModel(bytes: Uint8Array) {
  const model = decodeMessage(bytes);
  const graph = messages(model, 7)[0];
  const valueInfo = (v: Map<number, FieldValue[]>) => {
    const tensorType = messages(messages(v, 2)[0], 1)[0];
    const dims = messages(messages(tensorType, 2)[0] ?? new Map(), 1).map((d) => int(d, 1));
    return { name: strings(v, 1)[0], elemType: int(tensorType, 1), shape: dims };
  };
  return {
    irVersion: int(model, 1),
    producer: strings(model, 2)[0],
    opsets: messages(model, 8).map((o) => ({ domain: strings(o, 1)[0] ?? '', version: int(o, 2) })),
    graphName: strings(graph, 2)[0],
    nodes: messages(graph, 1).map((n) => ({ opType: strings(n, 4)[0], inputs: strings(n, 1), outputs: strings(n, 2) })),
    initializers: messages(graph, 5).map((t) => ({
      name: strings(t, 8)[0],
      dataType: int(t, 2),
      dims: packedInts(t, 1),
      raw: (t.get(9)?.[0] as Uint8Array) ?? new Uint8Array(),
    })),
    inputs: messages(graph, 11).map(valueInfo),
    outputs: messages(graph, 12).map(valueInfo),
  };
}
