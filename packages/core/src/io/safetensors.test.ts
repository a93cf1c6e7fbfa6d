import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SasError, getTensor, parseSafetensors, serializeSafetensors, tensor, type Tensor } from '@sas/core';
import { bf16ToNumber, f16ToNumber, numberToBf16, numberToF16 } from './half.js';

// The repository's copy of the authors' fixtures (packages/conformance/fixtures).
const FIXTURE = fileURLToPath(new URL('../../../conformance/fixtures/sas-tiny.safetensors', import.meta.url));

/** Assembles a file from a header (object or raw JSON text) and a data buffer. */
function build(header: unknown, data: Uint8Array = new Uint8Array(0), pad = 0): Uint8Array {
  const text = (typeof header === 'string' ? header : JSON.stringify(header)) + ' '.repeat(pad);
  const json = new TextEncoder().encode(text);
  return assemble(json, data);
}

function assemble(headerBytes: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

function bytesOf(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Runs `fn`, expecting SasError(code) whose message equals or matches `message`. */
function expectSasError(fn: () => unknown, code: string, message: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(SasError);
  const err = caught as SasError;
  expect(err.code).toBe(code);
  expect(err.message).not.toContain('\n');
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
}

const bad = (bytes: Uint8Array, message: string | RegExp) => expectSasError(() => parseSafetensors(bytes, 'bad.safetensors'), 'E_SAFETENSORS', message);

describe('half-precision conversion', () => {
  it('encodes F16 known bit patterns', () => {
    expect(numberToF16(1)).toBe(0x3c00);
    expect(numberToF16(-2)).toBe(0xc000);
    expect(numberToF16(0.5)).toBe(0x3800);
    expect(numberToF16(65504)).toBe(0x7bff); // largest finite
    expect(numberToF16(2 ** -14)).toBe(0x0400); // smallest normal
    expect(numberToF16(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(numberToF16(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(numberToF16(0)).toBe(0x0000);
    expect(numberToF16(-0)).toBe(0x8000);
    expect(numberToF16(Infinity)).toBe(0x7c00);
    expect(numberToF16(-Infinity)).toBe(0xfc00);
    expect(numberToF16(1e6)).toBe(0x7c00); // overflow
    expect(numberToF16(-1e-10)).toBe(0x8000); // underflow keeps the sign
    expect(numberToF16(1 / 3)).toBe(0x3555);
    const nan = numberToF16(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x03ff).not.toBe(0);
  });

  it('rounds F16 to nearest, ties to even', () => {
    expect(numberToF16(1 + 2 ** -11)).toBe(0x3c00); // tie between mantissa 0 and 1 → 0
    expect(numberToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie between 1 and 2 → 2
    expect(numberToF16(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c01); // just above the tie
    expect(numberToF16(2049)).toBe(0x6800); // spacing 2: 2049 → 2048
    expect(numberToF16(2051)).toBe(0x6802); // 2051 → 2052
    expect(numberToF16(65519)).toBe(0x7bff);
    expect(numberToF16(65520)).toBe(0x7c00); // tie above the max rounds to the even Infinity
    expect(numberToF16(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24 → 0
    expect(numberToF16(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal quanta → 2
    expect(numberToF16(2 ** -14 - 2 ** -25)).toBe(0x0400); // tie at the subnormal/normal edge → normal
  });

  it('decodes F16 exactly, subnormals, zeros, infinities and NaN included', () => {
    expect(f16ToNumber(0x3c00)).toBe(1);
    expect(f16ToNumber(0x7bff)).toBe(65504);
    expect(f16ToNumber(0x0001)).toBe(2 ** -24);
    expect(f16ToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(f16ToNumber(0x3555)).toBe(0.333251953125);
    expect(Object.is(f16ToNumber(0x8000), -0)).toBe(true);
    expect(f16ToNumber(0x7c00)).toBe(Infinity);
    expect(f16ToNumber(0xfc00)).toBe(-Infinity);
    expect(f16ToNumber(0x7e00)).toBeNaN();
    expect(f16ToNumber(0xfc01)).toBeNaN();
  });

  it('round-trips every non-NaN F16 and BF16 bit pattern', () => {
    const wrong: string[] = [];
    for (let b = 0; b < 0x10000; b++) {
      const f16 = f16ToNumber(b);
      if (!Number.isNaN(f16) && numberToF16(f16) !== b) wrong.push(`F16 ${b.toString(16)}`);
      const bf16 = bf16ToNumber(b);
      if (!Number.isNaN(bf16) && numberToBf16(bf16) !== b) wrong.push(`BF16 ${b.toString(16)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds every midpoint between adjacent finite F16 values to the even one', () => {
    const wrong: number[] = [];
    for (let b = 0; b < 0x7bff; b++) {
      const mid = (f16ToNumber(b) + f16ToNumber(b + 1)) / 2;
      const even = b % 2 === 0 ? b : b + 1;
      if (numberToF16(mid) !== even || numberToF16(-mid) !== (0x8000 | even)) wrong.push(b);
      // A hair either side of the midpoint goes to the nearer neighbour.
      const eps = (f16ToNumber(b + 1) - f16ToNumber(b)) / 1024;
      if (numberToF16(mid - eps) !== b || numberToF16(mid + eps) !== b + 1) wrong.push(b);
    }
    expect(wrong).toEqual([]);
  });

  it('encodes BF16 known bit patterns with ties to even', () => {
    expect(numberToBf16(1)).toBe(0x3f80);
    expect(numberToBf16(-1)).toBe(0xbf80);
    expect(numberToBf16(Math.PI)).toBe(0x4049);
    expect(numberToBf16(-0)).toBe(0x8000);
    expect(numberToBf16(Infinity)).toBe(0x7f80);
    expect(numberToBf16(-Infinity)).toBe(0xff80);
    expect(numberToBf16(NaN)).toBe(0x7fc0);
    expect(numberToBf16(2 ** -133)).toBe(0x0001); // smallest subnormal
    expect(numberToBf16(1 + 2 ** -8)).toBe(0x3f80); // tie → even mantissa 0
    expect(numberToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie → even mantissa 2
    expect(numberToBf16(3.3895313892515355e38)).toBe(0x7f7f); // largest finite
    expect(numberToBf16(3.4028234663852886e38)).toBe(0x7f80); // float32 max rounds up to Infinity
    expect(bf16ToNumber(0x3f80)).toBe(1);
    expect(bf16ToNumber(0xc049)).toBe(-3.140625);
    expect(bf16ToNumber(0x0001)).toBe(2 ** -133);
    expect(bf16ToNumber(0xff80)).toBe(-Infinity);
    expect(bf16ToNumber(0x7fc0)).toBeNaN();
  });

  it('matches the float32 bit-rounding reference for BF16', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    let seed = 12345;
    for (let i = 0; i < 20000; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      u[0] = seed;
      if (Number.isNaN(f[0])) continue;
      const expected = ((u[0] + 0x7fff + ((u[0] >>> 16) & 1)) >>> 16) & 0xffff;
      expect(numberToBf16(f[0])).toBe(expected);
    }
  });
});

describe('serializeSafetensors / parseSafetensors round trips', () => {
  const f64 = new Float64Array([0, -0, 1, -1.5, Math.PI, 1e-310, Number.MAX_VALUE, Infinity, -Infinity, NaN, 2 ** -1074, 1 / 3]);
  const f32 = new Float32Array([0, -0, 1, -1.5, Math.PI, 1e-40, 3.4028234663852886e38, Infinity, -Infinity, NaN, 2 ** -149, 1 / 3]);

  it('is bit-exact for F64 and F32, with shapes, stored dtypes and metadata', () => {
    const bytes = serializeSafetensors(
      { a: { dtype: 'float64', shape: [3, 4], data: f64 }, b: { dtype: 'float32', shape: [2, 2, 3], data: f32 }, s: tensor([7], []) },
      { metadata: { format: 'pt', note: 'ü ✓' } },
    );
    const c = parseSafetensors(bytes);
    expect(c.metadata).toEqual({ format: 'pt', note: 'ü ✓' });
    expect([...c.storedDtypes]).toEqual([
      ['a', 'F64'],
      ['b', 'F32'],
      ['s', 'F64'],
    ]);
    const a = c.tensors.get('a')!;
    const b = c.tensors.get('b')!;
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([3, 4]);
    expect(a.data).toBeInstanceOf(Float64Array);
    expect(bytesOf(a.data)).toEqual(bytesOf(f64));
    expect(b.dtype).toBe('float32');
    expect(b.shape).toEqual([2, 2, 3]);
    expect(b.data).toBeInstanceOf(Float32Array);
    expect(bytesOf(b.data)).toEqual(bytesOf(f32));
    expect(c.tensors.get('s')!.shape).toEqual([]);
    expect([...c.tensors.get('s')!.data]).toEqual([7]);
  });

  it('keeps NaN payloads bit-exact for same-dtype writes', () => {
    const data = new Float64Array(1);
    new DataView(data.buffer).setBigUint64(0, 0x7ff8_0000_dead_beefn, true);
    const out = parseSafetensors(serializeSafetensors({ x: { dtype: 'float64', shape: [1], data } }));
    expect(bytesOf(out.tensors.get('x')!.data)).toEqual(bytesOf(data));
  });

  it('converts on write: float64 → F32, F16 and BF16 read back as float32', () => {
    const t = tensor([1, 1 + 2 ** -11, 65504, 2 ** -24, -0, Infinity, NaN, 1 / 3], [8]);
    const f32 = parseSafetensors(serializeSafetensors({ t }, { dtype: 'F32' })).tensors.get('t')!;
    expect(f32.dtype).toBe('float32');
    expect(bytesOf(f32.data)).toEqual(bytesOf(Float32Array.from(t.data)));

    const f16 = parseSafetensors(serializeSafetensors({ t }, { dtype: 'F16' }));
    expect(f16.storedDtypes.get('t')).toBe('F16');
    const h = f16.tensors.get('t')!;
    expect(h.dtype).toBe('float32');
    expect([...h.data].slice(0, 6)).toEqual([1, 1, 65504, 2 ** -24, -0, Infinity]);
    expect(Object.is(h.data[4], -0)).toBe(true);
    expect(h.data[6]).toBeNaN();
    expect(h.data[7]).toBe(0.333251953125);

    const bf = parseSafetensors(serializeSafetensors({ t }, { dtype: 'BF16' })).tensors.get('t')!;
    expect([...bf.data].slice(0, 3)).toEqual([1, 1, 65536]);
    expect(bf.data[7]).toBe(bf16ToNumber(numberToBf16(1 / 3)));
  });

  it('writes the exact F16/BF16 little-endian bytes', () => {
    const bytes = serializeSafetensors({ h: tensor([1, -2], [2]) }, { dtype: 'F16' });
    expect([...bytes.slice(bytes.length - 4)]).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    const b = serializeSafetensors({ h: tensor([1, -2], [2]) }, { dtype: 'BF16' });
    expect([...b.slice(b.length - 4)]).toEqual([0x80, 0x3f, 0x00, 0xc0]);
  });

  it('is deterministic: sorted names, contiguous offsets, header padded with spaces to 8', () => {
    const z = tensor([1, 2, 3], [3], 'float32');
    const a = tensor([4, 5], [1, 2]);
    const m = tensor([], [0, 3]);
    const one = serializeSafetensors({ z, a, m, '10': a, '9': a });
    const two = serializeSafetensors(
      new Map<string, Tensor>([
        ['9', a],
        ['m', m],
        ['10', a],
        ['a', a],
        ['z', z],
      ]),
    );
    expect(two).toEqual(one);
    const n = Number(new DataView(one.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(one.subarray(8, 8 + n));
    expect(text.trimEnd().length).toBeLessThanOrEqual(n);
    expect(/^ *$/.test(text.slice(text.trimEnd().length))).toBe(true);
    const header = JSON.parse(text);
    expect(Object.keys(header).sort()).toEqual(['10', '9', 'a', 'm', 'z']);
    expect(text.indexOf('"10"')).toBeLessThan(text.indexOf('"9"'));
    expect(text.indexOf('"9"')).toBeLessThan(text.indexOf('"a"'));
    expect(header['10'].data_offsets).toEqual([0, 16]);
    expect(header['9'].data_offsets).toEqual([16, 32]);
    expect(header.a.data_offsets).toEqual([32, 48]);
    expect(header.m).toEqual({ dtype: 'F64', shape: [0, 3], data_offsets: [48, 48] });
    expect(header.z).toEqual({ dtype: 'F32', shape: [3], data_offsets: [48, 60] });
    expect(one.length).toBe(8 + n + 60);
  });

  it('reads tensors at unaligned offsets into aligned arrays of their own', () => {
    const data = new Uint8Array(1 + 16);
    new DataView(data.buffer).setFloat64(1, 1.25, true);
    new DataView(data.buffer).setFloat64(9, -3, true);
    const file = build({ pad: { dtype: 'F16', shape: [0], data_offsets: [0, 0] }, x: { dtype: 'F64', shape: [2], data_offsets: [1, 17] } }, data, 3);
    // Embed in a larger buffer at an odd offset too.
    const outer = new Uint8Array(file.length + 3);
    outer.set(file, 3);
    const x = parseSafetensors(outer.subarray(3)).tensors.get('x')!;
    expect([...x.data]).toEqual([1.25, -3]);
    expect(x.data.byteOffset).toBe(0);
    expect(x.data.buffer).not.toBe(outer.buffer);
    expect(x.data.buffer.byteLength).toBe(16);
  });

  it('parses a header padded with trailing spaces, without metadata', () => {
    const data = new Uint8Array(new Float32Array([2.5]).buffer);
    const c = parseSafetensors(build({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, data, 13));
    expect([...c.tensors.get('w')!.data]).toEqual([2.5]);
    expect(c.metadata).toEqual({});
  });

  it('lists tensors in header order, integer-like names included', () => {
    const data = new Uint8Array(16);
    const c = parseSafetensors(build('{"b":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"1":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}', data));
    expect([...c.tensors.keys()]).toEqual(['b', '1']);
  });

  it('rejects tensors whose data length disagrees with their shape, and a tensor named __metadata__', () => {
    const wrong: Tensor = { dtype: 'float64', shape: [2, 2], data: new Float64Array(3) };
    expectSasError(
      () => serializeSafetensors({ wrong }),
      'E_SAFETENSORS',
      "serializeSafetensors: tensor 'wrong': 3 values do not fill shape [2,2] (4 elements)",
    );
    expectSasError(
      () => serializeSafetensors({ __metadata__: tensor([1], [1]) }),
      'E_SAFETENSORS',
      "serializeSafetensors: a tensor cannot be named '__metadata__'",
    );
  });
});

describe('the real fixture', () => {
  it('reads sas-tiny.safetensors (F64)', () => {
    const bytes = new Uint8Array(readFileSync(FIXTURE));
    const c = parseSafetensors(bytes, 'sas-tiny.safetensors');
    const q = getTensor(c, 'input.query', [1, 4, 2, 4], 'sas-tiny.safetensors');
    expect(q.dtype).toBe('float64');
    expect(q.data.length).toBe(32);
    expect(c.storedDtypes.get('input.query')).toBe('F64');
    expect(c.metadata.kind).toBe('sas');
    expect(c.metadata.heads).toBe('2');
    expect(getTensor(c, 'sas_q.0.weight').shape).toEqual([4, 2, 3]);
    for (const t of c.tensors.values()) expect(t.data.every((v) => Number.isFinite(v))).toBe(true);
    // Re-serializing gives back every tensor bit for bit.
    const again = parseSafetensors(serializeSafetensors(c.tensors, { metadata: c.metadata }));
    expect(again.metadata).toEqual(c.metadata);
    for (const [name, t] of c.tensors) expect(bytesOf(again.tensors.get(name)!.data)).toEqual(bytesOf(t.data));
  });
});

describe('getTensor', () => {
  const c = parseSafetensors(serializeSafetensors({ w: tensor([1, 2, 3, 4, 5, 6], [2, 3]) }));
  it('returns the tensor, checking the shape when asked', () => {
    expect(getTensor(c, 'w').shape).toEqual([2, 3]);
    expect(getTensor(c, 'w', [2, 3]).data.length).toBe(6);
  });
  it('throws E_WEIGHTS for a missing tensor or a wrong shape', () => {
    expectSasError(() => getTensor(c, 'nope', undefined, 'm.safetensors'), 'E_WEIGHTS', "m.safetensors: missing tensor 'nope'");
    expectSasError(() => getTensor(c, 'w', [3, 2], 'm.safetensors'), 'E_WEIGHTS', "m.safetensors: tensor 'w' has shape [2,3], expected [3,2]");
    expectSasError(() => getTensor(c, 'nope'), 'E_WEIGHTS', "<bytes>: missing tensor 'nope'");
  });
});

describe('validation', () => {
  const entry = (o: object = {}) => ({ dtype: 'F32', shape: [2], data_offsets: [0, 8], ...o });
  const eight = new Uint8Array(8);

  it('rejects a file shorter than 8 bytes', () => {
    bad(new Uint8Array(5), 'bad.safetensors: file is 5 bytes, shorter than the 8-byte header length');
    expectSasError(() => parseSafetensors(new Uint8Array(0)), 'E_SAFETENSORS', /^<bytes>: file is 0 bytes/);
  });

  it('rejects a header length larger than the file', () => {
    const file = build({}, new Uint8Array(0)); // 8 + 2
    new DataView(file.buffer).setUint32(0, 100, true);
    bad(file, 'bad.safetensors: header claims 100 bytes but the file has only 2 after the 8-byte length');
    const huge = new Uint8Array(8).fill(0xff);
    bad(huge, 'bad.safetensors: header claims 18446744073709551615 bytes but the file has only 0 after the 8-byte length');
  });

  it('rejects a header that is not UTF-8', () => {
    bad(assemble(new Uint8Array([0x7b, 0xff, 0x7d]), eight), 'bad.safetensors: header is not valid UTF-8');
  });

  it('rejects a header that is not JSON', () => {
    bad(build('{"a": ', eight), /^bad\.safetensors: header is not valid JSON \(.+\)$/);
    bad(build('', eight), /^bad\.safetensors: header is not valid JSON/);
  });

  it('rejects a header that is not an object', () => {
    bad(build('[1,2]'), 'bad.safetensors: header must be a JSON object, got [1,2]');
    bad(build('null'), 'bad.safetensors: header must be a JSON object, got null');
  });

  it('rejects an entry that is not an object', () => {
    bad(build({ w: 3 }), "bad.safetensors: tensor 'w': entry must be an object with dtype, shape and data_offsets, got 3");
  });

  it('rejects an entry missing dtype, shape or data_offsets', () => {
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      const e: Record<string, unknown> = entry();
      delete e[field];
      bad(build({ w: e }, eight), `bad.safetensors: tensor 'w': entry is missing '${field}'`);
    }
  });

  it('rejects malformed shapes', () => {
    bad(build({ w: entry({ shape: [2, -1] }) }, eight), "bad.safetensors: tensor 'w': shape must be an array of non-negative integers, got [2,-1]");
    bad(build({ w: entry({ shape: [1.5] }) }, eight), "bad.safetensors: tensor 'w': shape must be an array of non-negative integers, got [1.5]");
    bad(build({ w: entry({ shape: '2' }) }, eight), `bad.safetensors: tensor 'w': shape must be an array of non-negative integers, got "2"`);
  });

  it('rejects malformed data_offsets', () => {
    const msg = "bad.safetensors: tensor 'w': data_offsets must be a pair of non-negative integers, got ";
    bad(build({ w: entry({ data_offsets: [0] }) }, eight), `${msg}[0]`);
    bad(build({ w: entry({ data_offsets: [0, 8, 9] }) }, eight), `${msg}[0,8,9]`);
    bad(build({ w: entry({ data_offsets: [0, 7.5] }) }, eight), `${msg}[0,7.5]`);
    bad(build({ w: entry({ data_offsets: [-8, 0] }) }, eight), `${msg}[-8,0]`);
    bad(build({ w: entry({ data_offsets: '0,8' }) }, eight), `${msg}"0,8"`);
  });

  it('rejects begin > end', () => {
    bad(build({ w: entry({ data_offsets: [8, 0] }) }, eight), "bad.safetensors: tensor 'w': data_offsets [8,0] have begin > end");
  });

  it('rejects a non-string or unsupported dtype, naming it', () => {
    bad(build({ w: entry({ dtype: 'I64', shape: [1] }) }, eight), "bad.safetensors: tensor 'w': unsupported dtype 'I64' (supported: F64, F32, F16, BF16)");
    bad(build({ w: entry({ dtype: 'f32' }) }, eight), "bad.safetensors: tensor 'w': unsupported dtype 'f32' (supported: F64, F32, F16, BF16)");
    bad(build({ w: entry({ dtype: 4 }) }, eight), "bad.safetensors: tensor 'w': dtype must be a string, got 4");
  });

  it('rejects a lying header (byte length ≠ elements × item size)', () => {
    bad(
      build({ w: entry({ shape: [3] }) }, new Uint8Array(12)),
      "bad.safetensors: tensor 'w': F32 [3] needs 12 bytes but data_offsets [0,8] span 8 (lying header)",
    );
    bad(
      build({ w: entry({ dtype: 'F64', shape: [2] }) }, new Uint8Array(16)),
      "bad.safetensors: tensor 'w': F64 [2] needs 16 bytes but data_offsets [0,8] span 8 (lying header)",
    );
  });

  it('rejects offsets past the data buffer (truncated file)', () => {
    const full = serializeSafetensors({ w: tensor([1, 2, 3], [3]) });
    bad(full.subarray(0, full.length - 1), "bad.safetensors: tensor 'w': data_offsets [0,24] run past the 23-byte data buffer (truncated file?)");
  });

  it('rejects overlapping tensors, naming both', () => {
    const header = {
      a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
      b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] },
      c: { dtype: 'F32', shape: [2], data_offsets: [12, 20] },
    };
    bad(build(header, new Uint8Array(24)), "bad.safetensors: tensors 'a' [0,16] and 'c' [12,20] overlap");
    const same = { a: entry(), b: entry() };
    bad(build(same, eight), "bad.safetensors: tensors 'a' [0,8] and 'b' [0,8] overlap");
  });

  it('allows empty tensors anywhere, even inside another range', () => {
    const header = { a: entry(), e: { dtype: 'F64', shape: [0, 5], data_offsets: [4, 4] } };
    expect(parseSafetensors(build(header, eight)).tensors.get('e')!.data.length).toBe(0);
  });

  it('rejects duplicate tensor names that JSON.parse would silently merge', () => {
    const e = JSON.stringify(entry());
    bad(
      build(`{"w":${e}, "v" : {"dtype":"F32","shape":[2],"data_offsets":[8,16]},"w":${e}}`, new Uint8Array(16)),
      "bad.safetensors: header lists 'w' more than once",
    );
    // Escaped spellings of the same key count too.
    bad(build(`{"w":${e},"\\u0077":${e}}`, eight), "bad.safetensors: header lists 'w' more than once");
    bad(build(`{"__metadata__":{"a":"1"},"__metadata__":{"a":"2"}}`), "bad.safetensors: header lists '__metadata__' more than once");
    // Nested repeated keys and look-alike strings are fine.
    const nested = `{"__metadata__":{"x":"\\"w\\":{","y":"}]"},"w":${e}}`;
    expect(parseSafetensors(build(nested, eight)).metadata).toEqual({ x: '"w":{', y: '}]' });
  });

  it('rejects __metadata__ that is not a string → string map', () => {
    bad(build({ __metadata__: ['a'] }), 'bad.safetensors: __metadata__ must be an object of strings, got ["a"]');
    bad(build({ __metadata__: 'x' }), 'bad.safetensors: __metadata__ must be an object of strings, got "x"');
    bad(build({ __metadata__: { a: 'ok', n: 1 } }), "bad.safetensors: __metadata__ value of 'n' must be a string, got 1");
    bad(build({ __metadata__: { nested: { a: 'b' } } }), `bad.safetensors: __metadata__ value of 'nested' must be a string, got {"a":"b"}`);
  });
});
