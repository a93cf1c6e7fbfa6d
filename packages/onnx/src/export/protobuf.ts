// A minimal protocol-buffers encoder: just the wire types ONNX needs.
//   wire type 0: varint (int32, int64, enums, bools)
//   wire type 2: length-delimited (strings, bytes, sub-messages, packed repeats)
//   wire type 5: 32-bit little-endian (float)
// Encoding only: the library writes models and never parses them (ONNX
// Runtime does that, and the tests use it as the decoder of record).

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
const UTF8 = new TextEncoder();
const TWO_64 = 1n << 64n;

/**
 * Appends protobuf fields to a growing byte buffer.
 *
 * @example
 * ```ts
 * import { ProtoWriter } from '@sas/onnx';
 * // message Test1 { int32 a = 1; } with a = 150 (the protobuf docs' example)
 * new ProtoWriter().int64(1, 150).finish(); // Uint8Array [0x08, 0x96, 0x01]
 * ```
 */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  /** A varint field (int32/int64/enum/bool); negative values take ten bytes, as protobuf's two's complement. */
  int64(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, UTF8.encode(value));
  }

  /** A bytes field (also used for embedded messages: pass their encoding). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.raw(value);
    return this;
  }

  /** An embedded message, given its encoding. */
  message(field: number, encoded: Uint8Array): this {
    return this.bytes(field, encoded);
  }

  /** A 32-bit float field (wire type 5, little-endian). */
  float32(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  /** A packed repeated varint field (proto3's default encoding for repeated int64). */
  packedInt64(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private tag(field: number, wire: number): void {
    if (!Number.isInteger(field) || field < 1) throw new RangeError(`protobuf: field numbers are positive integers, got ${field}`);
    this.varint(field * 8 + wire);
  }

  private varint(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`protobuf: varints hold integers, got ${value}`);
    let v = BigInt(value);
    // Negative numbers are sign-extended to 64 bits, so they always take 10 bytes.
    if (v < 0n) v += TWO_64;
    if (v < 0n || v >= TWO_64) throw new RangeError(`protobuf: ${value} does not fit in 64 bits`);
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
