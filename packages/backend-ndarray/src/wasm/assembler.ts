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

/**
 * Unsigned LEB128.
 *
 * @example
 * ```ts
 * import { uleb } from './assembler.js';
 * uleb(624485); // [0xe5, 0x8e, 0x26]
 * ```
 */
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

/**
 * Signed LEB128 (32-bit).
 *
 * @example
 * ```ts
 * import { sleb } from './assembler.js';
 * sleb(-1); // [0x7f]
 * ```
 */
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
// Each helper returns the bytes of one instruction; bodies are their concatenation:
//   import { localGet, i32Const, i32Add, localSet } from './assembler.js';
//   const incr = [...localGet(0), ...i32Const(1), ...i32Add, ...localSet(0)]; // x0 += 1
/** `local.get i`. @example `localGet(0) // [0x20, 0]` */
export const localGet = (i: number): Code => [0x20, ...uleb(i)];
/** `local.set i`. @example `localSet(1) // [0x21, 1]` */
export const localSet = (i: number): Code => [0x21, ...uleb(i)];
/** `local.tee i` (set and keep the value). @example `localTee(2) // [0x22, 2]` */
export const localTee = (i: number): Code => [0x22, ...uleb(i)];
/** `i32.const v`. @example `i32Const(-1) // [0x41, 0x7f]` */
export const i32Const = (v: number): Code => [0x41, ...sleb(v)];
export const i32Add: Code = [0x6a];
export const i32Sub: Code = [0x6b];
export const i32Mul: Code = [0x6c];
export const i32Shl: Code = [0x74];
export const i32LtS: Code = [0x48];
export const f32Add: Code = [0x92];
/** `f32.load` (4-byte aligned) at a constant byte offset. @example `f32Load(8) // [0x2a, 2, 8]` */
export const f32Load = (offset = 0): Code => [0x2a, 2, ...uleb(offset)];
/** `f32.store` (4-byte aligned) at a constant byte offset. @example `f32Store(8) // [0x38, 2, 8]` */
export const f32Store = (offset = 0): Code => [0x38, 2, ...uleb(offset)];
const simd = (op: number): Code => [0xfd, ...uleb(op)];
/** `v128.load` at a constant byte offset. @example `v128Load(16) // [0xfd, 0, 2, 16]` */
export const v128Load = (offset = 0): Code => [...simd(0x00), 2, ...uleb(offset)];
/** `v128.store` at a constant byte offset. @example `v128Store() // [0xfd, 11, 2, 0]` */
export const v128Store = (offset = 0): Code => [...simd(0x0b), 2, ...uleb(offset)];
export const v128Zero: Code = [...simd(0x0c), ...new Array<number>(16).fill(0)];
export const f32x4Add: Code = simd(0xe4);
export const f32x4Mul: Code = simd(0xe6);
/** `f32x4.extract_lane l`. @example `f32x4ExtractLane(3) // [0xfd, 0x1f, 3]` */
export const f32x4ExtractLane = (lane: number): Code => [...simd(0x1f), lane];
export const i32GeS: Code = [0x4e];
export const i32And: Code = [0x71];
export const i32ShrU: Code = [0x76];
/** `f32.const v` (little-endian bits). @example `f32Const(1) // [0x43, 0, 0, 0x80, 0x3f]` */
export const f32Const = (v: number): Code => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
export const f32Max: Code = [0x97];
export const f32Div: Code = [0x95];
/** A v128 constant with `v` in all four f32 lanes. @example `f32x4Const(0) // v128.const with 16 zero bytes` */
export const f32x4Const = (v: number): Code => [...simd(0x0c), ...new Uint8Array(Float32Array.of(v, v, v, v).buffer)];
/** A v128 constant from four i32 lanes. @example `i32x4Const(0, 1, 2, 3)` */
export const i32x4Const = (a: number, b: number, c: number, d: number): Code => [...simd(0x0c), ...new Uint8Array(Int32Array.of(a, b, c, d).buffer)];
export const f32x4Splat: Code = simd(0x13);
export const i32x4Splat: Code = simd(0x11);
export const f32x4Sub: Code = simd(0xe5);
export const f32x4Max: Code = simd(0xe9);
export const f32x4Lt: Code = simd(0x43);
export const f32x4Abs: Code = simd(0xe0);
/** pmax(a, b) = a < b ? b : a: with b = 0 exactly the reference relu (NaN and −0 pass through). */
export const f32x4Pmax: Code = simd(0xeb);
export const f32x4Nearest: Code = simd(0x6a);
export const i32x4TruncSatF32x4S: Code = simd(0xf8);
export const i32x4Add: Code = simd(0xae);
export const i32x4Shl: Code = simd(0xab);
export const i32x4LtS: Code = simd(0x39);
export const v128And: Code = simd(0x4e);
export const v128Bitselect: Code = simd(0x52);
// float64 pairs (f64x2), for elementwise programs that must round exactly as JavaScript's doubles do.
/** `v128.load64_zero`: two float32 (8 bytes, 4-aligned) into the low half. @example `v128Load64Zero(8)` */
export const v128Load64Zero = (offset = 0): Code => [...simd(0x5d), 2, ...uleb(offset)];
/** `v128.load64_splat`: one float64 (8-aligned) into both lanes. @example `v128Load64Splat(0)` */
export const v128Load64Splat = (offset = 0): Code => [...simd(0x0a), 3, ...uleb(offset)];
/** `v128.store64_lane 0`: the low 8 bytes (two float32) at a constant byte offset (4-aligned). @example `v128Store64Lane0(8)` */
export const v128Store64Lane0 = (offset = 0): Code => [...simd(0x5b), 2, ...uleb(offset), 0];
/** A v128 constant with `v` in both f64 lanes. @example `f64x2Const(0.5)` */
export const f64x2Const = (v: number): Code => [...simd(0x0c), ...new Uint8Array(Float64Array.of(v, v).buffer)];
/** A v128 constant with the integer `v` in both i64 lanes (a bigint for full 64-bit patterns). @example `i64x2Const(0x7fffffffffffffffn)` */
export const i64x2Const = (v: number | bigint): Code => [...simd(0x0c), ...new Uint8Array(BigInt64Array.of(BigInt(v), BigInt(v)).buffer)];
export const f64x2PromoteLowF32x4: Code = simd(0x5f);
export const f32x4DemoteF64x2Zero: Code = simd(0x5e);
export const f64x2Eq: Code = simd(0x47);
export const f64x2Ne: Code = simd(0x48);
export const f64x2Lt: Code = simd(0x49);
export const f64x2Gt: Code = simd(0x4a);
export const f64x2Abs: Code = simd(0xec);
export const f64x2Neg: Code = simd(0xed);
export const f64x2Sqrt: Code = simd(0xef);
export const f64x2Add: Code = simd(0xf0);
export const f64x2Sub: Code = simd(0xf1);
export const f64x2Mul: Code = simd(0xf2);
export const f64x2Div: Code = simd(0xf3);
/** pmin(a, b) = b < a ? b : a (one instruction on x64; f64x2.min must also order −0 and propagate a NaN in b). */
export const f64x2Pmin: Code = simd(0xf6);
export const f64x2Floor: Code = simd(0x75);
export const i64x2Shl: Code = simd(0xcb);
/** `loop … br_if 0` runs the body again while the condition left by the body is true. @example `loop([...body, ...cond, ...brIf(0)])` */
export const loop = (body: Code): Code => [0x03, 0x40, ...body, 0x0b];
/** `block … end`: `br`/`br_if` to it jumps past its end. @example `block([...cond, ...brIf(0), ...rest])` */
export const block = (body: Code): Code => [0x02, 0x40, ...body, 0x0b];
/** `br depth`. @example `br(0) // [0x0c, 0]` */
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
/** `br_if depth`. @example `brIf(1) // [0x0d, 1]` */
export const brIf = (depth: number): Code => [0x0d, ...uleb(depth)];

/**
 * `local -= 1; br_if depth`: the tail of a do-while loop counting a local down to 0.
 *
 * @example
 * ```ts
 * import { countDown } from './assembler.js';
 * countDown(3); // [0x20, 3, 0x41, 1, 0x6b, 0x22, 3, 0x0d, 0]
 * ```
 */
export const countDown = (local: number, depth = 0): Code => [...localGet(local), ...i32Const(1), ...i32Sub, ...localTee(local), ...brIf(depth)];

/**
 * `local += by` for an i32 local (`by`: the code that pushes the increment).
 *
 * @example
 * ```ts
 * import { bump, i32Const } from './assembler.js';
 * bump(2, i32Const(16)); // [0x20, 2, 0x41, 16, 0x6a, 0x21, 2]
 * ```
 */
export const bump = (local: number, by: Code): Code => [...localGet(local), ...by, ...i32Add, ...localSet(local)];

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
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
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
  constructor(
    params: readonly string[],
    readonly paramType: ValType,
  ) {
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
