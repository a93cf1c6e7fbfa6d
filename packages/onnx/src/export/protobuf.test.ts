import { describe, expect, it } from 'vitest';
import { encodeAttribute, encodeOperatorSetId, encodeValueInfo, ONNX_DTYPE, ProtoWriter } from '@sas/onnx';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

describe('ProtoWriter (bytes from the protobuf encoding guide)', () => {
  it('encodes a varint field: Test1 { int32 a = 1 } with a = 150 → 08 96 01', () => {
    expect(hex(new ProtoWriter().int64(1, 150).finish())).toBe('08 96 01');
  });

  it('encodes a string field: Test2 { string b = 2 } with b = "testing"', () => {
    expect(hex(new ProtoWriter().string(2, 'testing').finish())).toBe('12 07 74 65 73 74 69 6e 67');
  });

  it('encodes an embedded message: Test3 { Test1 c = 3 } → 1a 03 08 96 01', () => {
    const inner = new ProtoWriter().int64(1, 150).finish();
    expect(hex(new ProtoWriter().message(3, inner).finish())).toBe('1a 03 08 96 01');
  });

  it('encodes a packed repeated field: Test4 { repeated int32 d = 4 } with [3, 270, 86942]', () => {
    expect(hex(new ProtoWriter().packedInt64(4, [3, 270, 86942]).finish())).toBe('22 06 03 8e 02 9e a7 05');
  });

  it("encodes negative int64 as ten-byte two's complement, and bigints beyond 2^53", () => {
    expect(hex(new ProtoWriter().int64(1, -1).finish())).toBe('08 ff ff ff ff ff ff ff ff ff 01');
    expect(hex(new ProtoWriter().int64(1, -(2n ** 63n)).finish())).toBe('08 80 80 80 80 80 80 80 80 80 01');
    expect(hex(new ProtoWriter().int64(1, 2n ** 60n).finish())).toBe('08 80 80 80 80 80 80 80 80 10');
  });

  it('encodes a float field little-endian with wire type 5: 1.0 → 15 00 00 80 3f', () => {
    expect(hex(new ProtoWriter().float32(2, 1).finish())).toBe('15 00 00 80 3f');
  });

  it('grows past its initial buffer without losing bytes', () => {
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    const out = new ProtoWriter().bytes(1, big).finish();
    expect(hex(out.subarray(0, 3))).toBe('0a e8 07');
    expect(out.subarray(3)).toEqual(big);
  });

  it('rejects non-integer varints and field numbers below 1', () => {
    expect(() => new ProtoWriter().int64(1, 1.5)).toThrow(/varints hold integers/);
    expect(() => new ProtoWriter().int64(0, 1)).toThrow(/field numbers/);
  });
});

describe('ONNX message encoders (field numbers of onnx.proto3)', () => {
  it('OperatorSetIdProto { domain = 1, version = 2 }', () => {
    expect(hex(encodeOperatorSetId('', 18))).toBe('10 12');
    expect(hex(encodeOperatorSetId('ai', 1))).toBe('0a 02 61 69 10 01');
  });

  it('AttributeProto { name = 1, i = 3, ints = 8, type = 20 }', () => {
    // name "axis", i = -1, type INT (2): field 20 is the two-byte key a0 01.
    expect(hex(encodeAttribute({ name: 'axis', type: 'int', value: -1 }))).toBe('0a 04 61 78 69 73 18 ff ff ff ff ff ff ff ff ff 01 a0 01 02');
    expect(hex(encodeAttribute({ name: 'p', type: 'ints', value: [1, 0] }))).toBe('0a 01 70 42 02 01 00 a0 01 07');
  });

  it('ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } }', () => {
    // name "x", FLOAT, shape [3]
    expect(hex(encodeValueInfo({ name: 'x', elemType: ONNX_DTYPE.FLOAT, shape: [3] }))).toBe('0a 01 78 12 0a 0a 08 08 01 12 04 0a 02 08 03');
  });
});
