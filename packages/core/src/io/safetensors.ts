// Reader and writer for the safetensors format, on bytes (no file system):
//   8-byte little-endian u64 N | N bytes of UTF-8 JSON header | data buffer.
// The header maps tensor names to {dtype, shape, data_offsets: [begin, end]}
// (offsets relative to the data buffer) plus an optional "__metadata__"
// string→string map. Every malformed input is a one-line SasError('E_SAFETENSORS').

import { DEFAULT_MAX_ELEMENTS } from '../backend/types.js';
import { SasError } from '../errors.js';
import { printable } from '../names.js';
import { fmtShape, sameShape, sizeOf, type Tensor } from '../tensor.js';
import { checkJsonDepth } from './json-text.js';
import { bf16ToNumber, f16ToNumber, numberToBf16, numberToF16 } from './half.js';

/** The safetensors element types this library reads and writes. */
export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16';

/** What `parseSafetensors` returns. */
export interface SafetensorsContents {
  /** Tensors in header order; F64 → float64, F32/F16/BF16 → float32. */
  readonly tensors: Map<string, Tensor>;
  /** The `__metadata__` map (empty when the file has none). */
  readonly metadata: Record<string, string>;
  /** The dtype each tensor was stored with in the file. */
  readonly storedDtypes: Map<string, SafetensorsDType>;
}

/** Options of `serializeSafetensors`. */
export interface SerializeSafetensorsOptions {
  /** Storage dtype of every tensor; default F64 for float64 tensors, F32 for float32. */
  readonly dtype?: SafetensorsDType;
  /** Written as `__metadata__`. */
  readonly metadata?: Record<string, string>;
}

const ITEM_SIZE: Record<SafetensorsDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };

/** The largest header this library reads, as the reference implementation allows (100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const WRITER = 'serializeSafetensors';

interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

function fail(source: string, message: string): never {
  throw new SasError('E_SAFETENSORS', `${source}: ${message}`);
}

// ---------------------------------------------------------------- reading

/**
 * Parses a safetensors file held in memory. Each tensor gets its own aligned
 * typed array (one copy of its bytes, whatever the alignment of `bytes`).
 * Throws `SasError('E_SAFETENSORS')` on any malformed input, naming `source`
 * and the tensor involved.
 *
 * @example
 * ```ts
 * import { parseSafetensors, serializeSafetensors, tensor } from '@sas/core';
 * const bytes = serializeSafetensors({ w: tensor([1, 2, 3, 4], [2, 2]) });
 * const { tensors, storedDtypes } = parseSafetensors(bytes, 'model.safetensors');
 * tensors.get('w')?.shape;  // [2, 2]
 * storedDtypes.get('w');    // 'F64'
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, source = '<bytes>'): SafetensorsContents {
  const { header, keys, dataStart } = readHeader(bytes, bytes.length, source);
  const dataLength = bytes.length - dataStart;
  const entries = keys.filter((k) => k !== METADATA_KEY).map((k) => readEntry(k, header[k], dataLength, source));
  checkOverlaps(entries, source);
  const tensors = new Map<string, Tensor>();
  const storedDtypes = new Map<string, SafetensorsDType>();
  for (const e of entries) {
    tensors.set(e.name, decodeTensor(bytes.subarray(dataStart + e.begin, dataStart + e.end), e));
    storedDtypes.set(e.name, e.dtype);
  }
  return { tensors, metadata: readMetadata(header[METADATA_KEY], source), storedDtypes };
}

/**
 * Returns tensor `name` of parsed contents, checking its shape when
 * `expectedShape` is given; throws `SasError('E_WEIGHTS')` otherwise.
 *
 * @example
 * ```ts
 * import { getTensor, parseSafetensors, serializeSafetensors, tensor } from '@sas/core';
 * const contents = parseSafetensors(serializeSafetensors({ b: tensor([0, 0], [2]) }));
 * getTensor(contents, 'b', [2]).data.length; // 2
 * getTensor(contents, 'b', [3]);             // throws: <bytes>: tensor 'b' has shape [2], expected [3]
 * ```
 */
export function getTensor(contents: SafetensorsContents, name: string, expectedShape?: readonly number[], source = '<bytes>'): Tensor {
  const t = contents.tensors.get(name);
  if (!t) throw new SasError('E_WEIGHTS', `${source}: missing tensor '${name}'`);
  if (expectedShape && !sameShape(t.shape, expectedShape)) {
    throw new SasError('E_WEIGHTS', `${source}: tensor '${name}' has shape ${fmtShape(t.shape)}, expected ${fmtShape(expectedShape)}`);
  }
  return t;
}

/**
 * How many header bytes a safetensors file of `fileSize` bytes claims, from
 * its first 8 bytes, checked against the file's size and the 100 MB limit:
 * the first step of reading a file without trusting it.
 *
 * @example
 * ```ts
 * import { safetensorsHeaderLength, serializeSafetensors, tensor } from '@sas/core';
 * const bytes = serializeSafetensors({ w: tensor([1, 2], [2]) });
 * safetensorsHeaderLength(bytes.subarray(0, 8), bytes.length, 'w.safetensors'); // 64
 * ```
 */
export function safetensorsHeaderLength(first8: Uint8Array, fileSize: number, source = '<bytes>'): number {
  if (fileSize < 8 || first8.length < 8) fail(source, `file is ${fileSize} bytes, shorter than the 8-byte header length`);
  const claimed = viewOf(first8).getBigUint64(0, true);
  const available = fileSize - 8;
  if (claimed > BigInt(available)) fail(source, `header claims ${claimed} bytes but the file has only ${available} after the 8-byte length`);
  if (claimed > BigInt(MAX_SAFETENSORS_HEADER_BYTES))
    fail(source, `header claims ${claimed} bytes, more than the ${MAX_SAFETENSORS_HEADER_BYTES} this library reads`);
  return Number(claimed);
}

/**
 * Validates a safetensors header (`prefix` = the 8-byte length and the
 * header, at least) against a file of `fileSize` bytes and returns the size
 * the header describes: 8 + header + the end of the last tensor's data. A
 * reader compares it with the file's size before reading the data, so a
 * file far larger than its header says is refused without reading it.
 *
 * @example
 * ```ts
 * import { safetensorsDescribedSize, serializeSafetensors, tensor } from '@sas/core';
 * const bytes = serializeSafetensors({ w: tensor([1, 2], [2]) });
 * safetensorsDescribedSize(bytes, bytes.length, 'w.safetensors') === bytes.length; // true
 * ```
 */
export function safetensorsDescribedSize(prefix: Uint8Array, fileSize: number, source = '<bytes>'): number {
  const { header, keys, dataStart } = readHeader(prefix, fileSize, source);
  const entries = keys.filter((k) => k !== METADATA_KEY).map((k) => readEntry(k, header[k], fileSize - dataStart, source));
  checkOverlaps(entries, source);
  readMetadata(header[METADATA_KEY], source);
  return dataStart + entries.reduce((end, e) => Math.max(end, e.end), 0);
}

/** The header of a file of `fileSize` bytes whose first bytes (8 + header at least) are `bytes`. */
function readHeader(bytes: Uint8Array, fileSize: number, source: string) {
  const length = safetensorsHeaderLength(bytes.subarray(0, 8), fileSize, source);
  const dataStart = 8 + length;
  if (bytes.length < dataStart) fail(source, `only ${bytes.length} of the ${dataStart} header bytes were given`);
  const text = decodeUtf8(bytes.subarray(8, dataStart), source);
  const header = parseJsonObject(text, source);
  const keys = topLevelKeys(text);
  // A set, not indexOf: the check stays linear in the number of tensors.
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) fail(source, `header lists '${printable(k)}' more than once`);
    seen.add(k);
  }
  return { header, keys, dataStart };
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail(source, 'header is not valid UTF-8');
  }
}

function parseJsonObject(text: string, source: string): Record<string, unknown> {
  checkJsonDepth(text, `${source}: header`, 'E_SAFETENSORS');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    fail(source, `header is not valid JSON (${oneLine(e instanceof Error ? e.message : String(e))})`);
  }
  if (!isObject(value)) fail(source, `header must be a JSON object, got ${describe(value)}`);
  return value;
}

function readEntry(name: string, raw: unknown, dataLength: number, source: string): Entry {
  const where = `tensor '${printable(name)}'`;
  if (!isObject(raw)) fail(source, `${where}: entry must be an object with dtype, shape and data_offsets, got ${describe(raw)}`);
  for (const field of ['dtype', 'shape', 'data_offsets']) {
    if (!Object.hasOwn(raw, field)) fail(source, `${where}: entry is missing '${field}'`);
  }
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') fail(source, `${where}: dtype must be a string, got ${describe(dtype)}`);
  if (!isDType(dtype)) fail(source, `${where}: unsupported dtype '${printable(dtype)}' (supported: F64, F32, F16, BF16)`);
  if (!isShape(shape)) fail(source, `${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  if (!isOffsets(offsets)) fail(source, `${where}: data_offsets must be a pair of non-negative integers, got ${describe(offsets)}`);
  const [begin, end] = offsets;
  const span = `data_offsets [${begin},${end}]`;
  if (begin > end) fail(source, `${where}: ${span} have begin > end`);
  const elements = sizeOf(shape);
  if (elements > DEFAULT_MAX_ELEMENTS)
    fail(
      source,
      `${where}: shape ${fmtShape(shape)} has ${elements} elements, more than the ${DEFAULT_MAX_ELEMENTS} one tensor may hold (refused before allocating)`,
    );
  const need = elements * ITEM_SIZE[dtype];
  if (end - begin !== need) {
    fail(source, `${where}: ${dtype} ${fmtShape(shape)} needs ${need} bytes but ${span} span ${end - begin} (lying header)`);
  }
  if (end > dataLength) fail(source, `${where}: ${span} run past the ${dataLength}-byte data buffer (truncated file?)`);
  return { name, dtype, shape: [...shape], begin, end };
}

function checkOverlaps(entries: readonly Entry[], source: string): void {
  const sorted = entries.filter((e) => e.end > e.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  let reach: Entry | undefined; // the range seen so far that ends last
  for (const e of sorted) {
    if (reach && e.begin < reach.end) {
      fail(source, `tensors '${printable(reach.name)}' [${reach.begin},${reach.end}] and '${printable(e.name)}' [${e.begin},${e.end}] overlap`);
    }
    if (!reach || e.end > reach.end) reach = e;
  }
}

function readMetadata(raw: unknown, source: string): Record<string, string> {
  if (raw === undefined) return {};
  if (!isObject(raw)) fail(source, `${METADATA_KEY} must be an object of strings, got ${describe(raw)}`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') fail(source, `${METADATA_KEY} value of '${printable(k)}' must be a string, got ${describe(v)}`);
  }
  return Object.fromEntries(Object.entries(raw)) as Record<string, string>;
}

function decodeTensor(raw: Uint8Array, e: Entry): Tensor {
  const n = sizeOf(e.shape);
  switch (e.dtype) {
    case 'F64':
      return { dtype: 'float64', shape: e.shape, data: readF64(raw, n) };
    case 'F32':
      return { dtype: 'float32', shape: e.shape, data: readF32(raw, n) };
    case 'F16':
      return { dtype: 'float32', shape: e.shape, data: readHalf(raw, n, f16ToNumber) };
    case 'BF16':
      return { dtype: 'float32', shape: e.shape, data: readHalf(raw, n, bf16ToNumber) };
  }
}

/**
 * The bytes copied into a fresh, exactly sized buffer. Not `raw.slice()`: on a
 * Node Buffer that is a view of the whole shared pool, not a copy.
 */
function ownedCopy(raw: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return copy.buffer;
}

function readF64(raw: Uint8Array, n: number): Float64Array {
  if (LITTLE_ENDIAN) return new Float64Array(ownedCopy(raw));
  const view = viewOf(raw);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

function readF32(raw: Uint8Array, n: number): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(ownedCopy(raw));
  const view = viewOf(raw);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

function readHalf(raw: Uint8Array, n: number, decode: (bits: number) => number): Float32Array {
  const view = viewOf(raw);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = decode(view.getUint16(2 * i, true));
  return out;
}

// ---------------------------------------------------------------- writing

/**
 * Serializes tensors to safetensors bytes, deterministically: tensors sorted
 * by name, contiguous offsets, header padded with spaces to a multiple of 8.
 * F16/BF16 round to nearest-even. Throws `SasError('E_SAFETENSORS')` when a
 * tensor's data length disagrees with its shape.
 *
 * @example
 * ```ts
 * import { serializeSafetensors, tensor } from '@sas/core';
 * const bytes = serializeSafetensors(
 *   { 'layer.weight': tensor([0.5, -1], [1, 2]) },
 *   { dtype: 'F16', metadata: { format: 'pt' } },
 * );
 * bytes.length; // 8 + header (multiple of 8) + 4 data bytes
 * ```
 */
export function serializeSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor>, options: SerializeSafetensorsOptions = {}): Uint8Array {
  const named = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  named.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const entries = layOut(named, options.dtype);
  const header = encodeHeader(entries, options.metadata);
  const dataLength = entries.length ? entries[entries.length - 1].end : 0;
  const out = new Uint8Array(8 + header.length + dataLength);
  const view = viewOf(out);
  view.setUint32(0, header.length, true); // high word stays 0
  out.set(header, 8);
  named.forEach(([, t], i) => writeData(out, 8 + header.length + entries[i].begin, t.data, entries[i].dtype));
  return out;
}

function layOut(named: readonly (readonly [string, Tensor])[], dtype: SafetensorsDType | undefined): Entry[] {
  if (dtype !== undefined && !isDType(dtype)) fail(WRITER, `unsupported dtype '${String(dtype)}' (supported: F64, F32, F16, BF16)`);
  let offset = 0;
  return named.map(([name, t]) => {
    checkTensor(name, t);
    const stored = dtype ?? (t.dtype === 'float64' ? 'F64' : 'F32');
    const begin = offset;
    offset += t.data.length * ITEM_SIZE[stored];
    return { name, dtype: stored, shape: [...t.shape], begin, end: offset };
  });
}

function checkTensor(name: string, t: Tensor): void {
  const where = `tensor '${name}'`;
  if (name === METADATA_KEY) fail(WRITER, `a tensor cannot be named '${METADATA_KEY}'`);
  if (!(t.data instanceof Float64Array || t.data instanceof Float32Array)) {
    fail(WRITER, `${where}: data must be a Float32Array or Float64Array`);
  }
  if (!isShape(t.shape)) fail(WRITER, `${where}: shape must be an array of non-negative integers, got ${describe(t.shape)}`);
  const n = sizeOf(t.shape);
  if (t.data.length !== n) fail(WRITER, `${where}: ${t.data.length} values do not fill shape ${fmtShape(t.shape)} (${n} elements)`);
}

function encodeHeader(entries: readonly Entry[], metadata: Record<string, string> | undefined): Uint8Array {
  // Built by hand so key order is exactly ours (JS objects hoist integer-like keys).
  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`${JSON.stringify(METADATA_KEY)}:${encodeMetadata(metadata)}`);
  for (const e of entries) {
    const body = JSON.stringify({ dtype: e.dtype, shape: e.shape, data_offsets: [e.begin, e.end] });
    parts.push(`${JSON.stringify(e.name)}:${body}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
  padded.set(json);
  return padded;
}

function encodeMetadata(metadata: Record<string, string>): string {
  if (!isObject(metadata)) fail(WRITER, `metadata must be an object of strings, got ${describe(metadata)}`);
  const keys = Object.keys(metadata).sort();
  for (const k of keys) {
    if (typeof metadata[k] !== 'string') fail(WRITER, `metadata value of '${k}' must be a string, got ${describe(metadata[k])}`);
  }
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`;
}

function writeData(out: Uint8Array, at: number, data: Float32Array | Float64Array, dtype: SafetensorsDType): void {
  const sameLayout = (dtype === 'F64' && data instanceof Float64Array) || (dtype === 'F32' && data instanceof Float32Array);
  if (LITTLE_ENDIAN && sameLayout) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at); // bit-exact, NaN payloads included
    return;
  }
  const view = viewOf(out);
  const size = ITEM_SIZE[dtype];
  for (let i = 0; i < data.length; i++) {
    const p = at + i * size;
    if (dtype === 'F64') view.setFloat64(p, data[i], true);
    else if (dtype === 'F32') view.setFloat32(p, data[i], true);
    else view.setUint16(p, dtype === 'F16' ? numberToF16(data[i]) : numberToBf16(data[i]), true);
  }
}

// ---------------------------------------------------------------- helpers

/**
 * Top-level keys of the JSON object `text`, in document order, duplicates kept
 * (JSON.parse keeps only the last). `text` must already be valid JSON.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let i = skipSpace(text, 0) + 1; // past '{'
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] === '}') return keys;
    const end = stringEnd(text, i);
    keys.push(JSON.parse(text.slice(i, end)) as string);
    i = skipValue(text, skipSpace(text, end) + 1); // past ':' and the value
    i = skipSpace(text, i);
    if (text[i] === ',') i++;
  }
}

function skipSpace(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t') i++;
  return i;
}

/** Index just past the JSON string starting at `text[i] === '"'`. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; ; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
}

/** Index just past the JSON value starting at or after `i` (valid JSON assumed). */
function skipValue(text: string, i: number): number {
  i = skipSpace(text, i);
  if (text[i] === '"') return stringEnd(text, i);
  if (text[i] !== '{' && text[i] !== '[') {
    while (text[i] !== ',' && text[i] !== '}') i++; // number, true, false, null
    return i;
  }
  let depth = 0;
  do {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  } while (depth > 0);
  return i;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isDType(v: unknown): v is SafetensorsDType {
  return v === 'F64' || v === 'F32' || v === 'F16' || v === 'BF16';
}

function isShape(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
}

function isOffsets(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** A short one-line rendering of a JSON value for messages. */
function describe(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return printable(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
