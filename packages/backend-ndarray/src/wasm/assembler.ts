// A tiny WebAssembly binary writer: just what the SIMD kernels of this
// package need (i32/f32/v128 locals, loops, loads and stores, a handful of
// arithmetic ops), so the kernels ship as TypeScript with no toolchain.
// Instruction helpers return byte arrays; a function body is their concatenation.

/** Bytes of one or more instructions. */
export type Code = number[];

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const vec = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const name = (s: string): Code => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const section = (id: number, bytes: Code): Code => [id, ...uleb(bytes.length), ...bytes];

// ---- instructions
export const localGet = (i: number): Code => [0x20, ...uleb(i)];
export const localSet = (i: number): Code => [0x21, ...uleb(i)];
export const localTee = (i: number): Code => [0x22, ...uleb(i)];
export const i32Const = (v: number): Code => [0x41, ...sleb(v)];
export const i32Add: Code = [0x6a];
export const i32Sub: Code = [0x6b];
export const i32Mul: Code = [0x6c];
export const i32Shl: Code = [0x74];
export const i32LtS: Code = [0x48];
export const f32Add: Code = [0x92];
/** f32.store with 4-byte alignment and a constant byte offset. */
export const f32Store = (offset = 0): Code => [0x38, 2, ...uleb(offset)];
const simd = (op: number): Code => [0xfd, ...uleb(op)];
export const v128Load = (offset = 0): Code => [...simd(0x00), 2, ...uleb(offset)];
export const v128Store = (offset = 0): Code => [...simd(0x0b), 2, ...uleb(offset)];
export const v128Zero: Code = [...simd(0x0c), ...new Array<number>(16).fill(0)];
export const f32x4Add: Code = simd(0xe4);
export const f32x4Mul: Code = simd(0xe6);
export const f32x4ExtractLane = (lane: number): Code => [...simd(0x1f), lane];
export const i32GeS: Code = [0x4e];
export const i32And: Code = [0x71];
export const i32ShrU: Code = [0x76];
export const f32Const = (v: number): Code => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
export const f32Max: Code = [0x97];
export const f32Div: Code = [0x95];
/** A v128 constant with `v` in all four f32 lanes. */
export const f32x4Const = (v: number): Code => [...simd(0x0c), ...new Uint8Array(Float32Array.of(v, v, v, v).buffer)];
/** A v128 constant from four i32 lanes. */
export const i32x4Const = (a: number, b: number, c: number, d: number): Code => [...simd(0x0c), ...new Uint8Array(Int32Array.of(a, b, c, d).buffer)];
export const f32x4Splat: Code = simd(0x13);
export const i32x4Splat: Code = simd(0x11);
export const f32x4Sub: Code = simd(0xe5);
export const f32x4Max: Code = simd(0xe9);
export const f32x4Lt: Code = simd(0x43);
/** pmax(a, b) = a < b ? b : a: with b = 0 exactly the reference relu (NaN and −0 pass through). */
export const f32x4Pmax: Code = simd(0xeb);
export const f32x4Nearest: Code = simd(0x6a);
export const i32x4TruncSatF32x4S: Code = simd(0xf8);
export const i32x4Add: Code = simd(0xae);
export const i32x4Shl: Code = simd(0xab);
export const i32x4LtS: Code = simd(0x39);
export const v128And: Code = simd(0x4e);
export const v128Bitselect: Code = simd(0x52);
/** `loop … br_if 0` runs the body again while the condition left by the body is true. */
export const loop = (body: Code): Code => [0x03, 0x40, ...body, 0x0b];
/** `block … end`: `br`/`br_if` to it jumps past its end. */
export const block = (body: Code): Code => [0x02, 0x40, ...body, 0x0b];
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): Code => [0x0d, ...uleb(depth)];

/** A function: its signature, extra locals, and body. */
export interface FunctionDef {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly body: Code;
}

/**
 * Encodes a module that imports its memory as `env.memory` and exports `functions`.
 *
 * @example
 * ```ts
 * import { encodeModule, I32, localGet, i32Add } from './assembler.js';
 * const bytes = encodeModule([{ name: 'add', params: [I32, I32], locals: [], body: [...localGet(0), ...localGet(1), ...i32Add] }], [[I32]]);
 * WebAssembly.validate(bytes); // true
 * ```
 */
export function encodeModule(functions: readonly FunctionDef[], results: readonly (readonly ValType[])[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f, i) => [0x60, ...vec(f.params.map((t) => [t])), ...vec((results[i] ?? []).map((t) => [t]))]);
  const bodies = functions.map((f) => {
    // Group consecutive locals of one type, as the format wants.
    const groups: Code[] = [];
    for (let i = 0; i < f.locals.length; ) {
      let j = i;
      while (j < f.locals.length && f.locals[j] === f.locals[i]) j++;
      groups.push([...uleb(j - i), f.locals[i]]);
      i = j;
    }
    const body = [...vec(groups), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

/**
 * Hands out local indices by name after the parameters, remembering each local's type.
 *
 * @example
 * ```ts
 * import { Locals, I32, V128 } from './assembler.js';
 * const l = new Locals(['a', 'b'], I32);
 * l.add('acc', V128); // 2
 * l.types; // [V128]
 * ```
 */
export class Locals {
  private readonly index = new Map<string, number>();
  readonly types: ValType[] = [];
  constructor(params: readonly string[], readonly paramType: ValType) {
    params.forEach((p, i) => this.index.set(p, i));
  }
  add(name: string, type: ValType): number {
    const i = this.index.size;
    this.index.set(name, i);
    this.types.push(type);
    return i;
  }
  get(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`wasm assembler: unknown local '${name}'`);
    return i;
  }
}
