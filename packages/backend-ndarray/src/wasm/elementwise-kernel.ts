import type { FloatData } from '../handle.js';
import { programLeaves, type ElementwiseProgram, type Instruction, type Operand } from '../lib/elementwise-program.js';
import { INV_LN2, SATURATED, TANH_SERIES } from '../lib/tanh.js';
import {
  bump,
  type Code,
  countDown,
  encodeModule,
  f32x4DemoteF64x2Zero,
  f64x2Abs,
  f64x2Add,
  f64x2Const,
  f64x2Div,
  f64x2Eq,
  f64x2Floor,
  f64x2Gt,
  f64x2Lt,
  f64x2Mul,
  f64x2Ne,
  f64x2Neg,
  f64x2Pmin,
  f64x2PromoteLowF32x4,
  f64x2Sqrt,
  f64x2Sub,
  I32,
  i32Const,
  i64x2Const,
  i64x2Shl,
  localGet,
  localSet,
  Locals,
  loop,
  V128,
  v128And,
  v128Bitselect,
  v128Load64Splat,
  v128Load64Zero,
  v128Store64Lane0,
} from './assembler.js';

// A float32 elementwise program (lib/elementwise-program.ts) as WebAssembly
// that computes in float64 pairs (f64x2): every op is the IEEE double op the
// generated JavaScript loop (lib/elementwise-codegen.ts) performs, in the same
// order, and values are rounded to float32 only where the loop stores them,
// so outputs are bit for bit the JavaScript loop's. tanh is `tanh32`
// (lib/tanh.ts) written out lane-wise: the same operations, with 2^k built
// from its exponent bits instead of read from a table. Exp and Log have no
// wasm instruction, and broadcast loads and sums are left to the JavaScript
// loop.

/**
 * Elements staged per call: every slot 16 KiB, so a program's slots stay in
 * L2 (GELU's forward over 1M values: 6.6–7.2 ms, against 7.8 with 1024, where
 * each copy costs more per element).
 */
export const ELEMENTWISE_CHUNK = 4096;
const CHUNK = ELEMENTWISE_CHUNK;

/** The run-time part: arrays in, arrays out (as `CompiledProgram`, without sums). */
export type WasmElementwise = (leaves: readonly FloatData[], outputs: readonly FloatData[]) => boolean;

/**
 * True when `program` can run as WebAssembly: float32 outputs, no sums, no
 * broadcast loads, and only ops with an exact f64x2 equivalent (not Exp, Log).
 *
 * @example
 * ```ts
 * import { wasmProgramSupported } from './elementwise-kernel.js';
 * wasmProgramSupported({ size: 2, registers: 1, outputs: 1, sums: 0, float32: true, instructions: [
 *   { kind: 'unary', op: 'Tanh', dst: 0, a: { kind: 'full', leaf: 0 } }, { kind: 'store', reg: 0, out: 0 },
 * ] }); // true
 * ```
 */
export function wasmProgramSupported(program: ElementwiseProgram): boolean {
  return (
    program.float32 &&
    program.sums === 0 &&
    program.size > 0 &&
    program.instructions.every((ins) => ins.kind !== 'load' && ins.kind !== 'sum' && !(ins.kind === 'unary' && (ins.op === 'Exp' || ins.op === 'Log')))
  );
}

/** Where each leaf lives in the program's memory: full leaves and outputs in CHUNK-float slots, scalars as doubles after them. */
interface Layout {
  /** Full leaves by slot. */
  readonly full: readonly number[];
  /** Scalar leaves, each one double at `scalarBase + 8·index`. */
  readonly scalars: readonly number[];
  readonly outputs: number;
  readonly scalarBase: number;
  readonly bytes: number;
}

function layoutOf(program: ElementwiseProgram): Layout {
  // A supported program has no broadcast loads: its per-element leaves are its full operands.
  const { perElement: full, scalars } = programLeaves(program);
  const scalarBase = (full.length + program.outputs) * CHUNK * 4;
  return { full, scalars, outputs: program.outputs, scalarBase, bytes: scalarBase + scalars.length * 8 };
}

const slotOffset = (slot: number) => slot * CHUNK * 4;

/** The lane-wise tanh32 of the value on the stack (lib/tanh.ts, same operations). */
function tanhCode(l: Locals): Code {
  const [x, y, k, r, em, s, e] = ['tx', 'ty', 'tk', 'tr', 'tem', 'ts', 'te'].map((n) => l.get(n));
  const g = localGet;
  // e^r − 1 = r·(1 + r·(1/2! + r·(1/3! + … + r/8!))), Horner's rule from the innermost coefficient out.
  const series = [1, ...TANH_SERIES];
  let factor: Code = [...g(r), ...f64x2Const(series[series.length - 1]), ...f64x2Mul];
  for (let n = series.length - 2; n >= 0; n--) factor = [...f64x2Const(series[n]), ...factor, ...f64x2Add, ...(n > 0 ? [...g(r), ...f64x2Mul] : [])];
  return [
    ...localSet(x),
    // y = 2·min(|x|, 9.1): pmin takes |x| (NaN included) unless 9.1 is smaller, as Math.min does here.
    ...f64x2Const(2),
    ...g(x),
    ...f64x2Abs,
    ...f64x2Const(SATURATED),
    ...f64x2Pmin,
    ...f64x2Mul,
    ...localSet(y),
    // k = (y·(1/ln2) + 0.5) | 0, as a double: truncation is floor for y ≥ 0 (NaN stays NaN, and so does the result).
    ...g(y),
    ...f64x2Const(INV_LN2),
    ...f64x2Mul,
    ...f64x2Const(0.5),
    ...f64x2Add,
    ...f64x2Floor,
    ...localSet(k),
    // r = y − k·ln2
    ...g(y),
    ...g(k),
    ...f64x2Const(Math.LN2),
    ...f64x2Mul,
    ...f64x2Sub,
    ...localSet(r),
    ...g(r),
    ...factor,
    ...f64x2Mul,
    ...localSet(em),
    // s = 2^k: k + 2^52 + 1023 holds k + 1023 in its low mantissa bits (exactly: an integer below 2^53); shifted into the exponent.
    ...g(k),
    ...f64x2Const(2 ** 52 + 1023),
    ...f64x2Add,
    ...i32Const(52),
    ...i64x2Shl,
    ...localSet(s),
    // e = s·em + (s − 1); t = e / (e + 2)
    ...g(s),
    ...g(em),
    ...f64x2Mul,
    ...g(s),
    ...f64x2Const(1),
    ...f64x2Sub,
    ...f64x2Add,
    ...localSet(e),
    ...g(e),
    ...g(e),
    ...f64x2Const(2),
    ...f64x2Add,
    ...f64x2Div,
    // x < 0 ? −t : x === 0 ? x : t is t with x's sign: t ≥ 0 (e ≥ 0), t = +0 at x = ±0, NaN at NaN.
    ...g(x),
    ...i64x2Const(0x7fffffffffffffffn),
    ...v128Bitselect,
  ];
}

/** The unary op on the value on the stack, as the generated loop's expression computes it. */
function unaryCode(op: string, l: Locals): Code {
  const a = l.get('ta');
  switch (op) {
    case 'Neg':
      return f64x2Neg;
    case 'Sqrt':
      return f64x2Sqrt;
    case 'Relu': // a < 0 ? 0 : a
      return [...localSet(a), ...f64x2Const(0), ...localGet(a), ...localGet(a), ...f64x2Const(0), ...f64x2Lt, ...v128Bitselect];
    case 'Step': // a !== a ? NaN : +(a > 0)
      return [
        ...localSet(a),
        ...f64x2Const(Number.NaN),
        ...localGet(a),
        ...f64x2Const(0),
        ...f64x2Gt,
        ...f64x2Const(1),
        ...v128And,
        ...localGet(a),
        ...localGet(a),
        ...f64x2Ne,
        ...v128Bitselect,
      ];
    case 'Tanh':
      return tanhCode(l);
    default:
      throw new Error(`elementwise wasm: unary op ${op} has no f64x2 form`);
  }
}

const BINARY: Readonly<Record<string, Code>> = {
  Add: f64x2Add,
  Sub: f64x2Sub,
  Mul: f64x2Mul,
  Div: f64x2Div,
  // a === b ? 1 : 0
  Equal: [...f64x2Eq, ...f64x2Const(1), ...v128And],
};

/**
 * The module of `program` (laid out as `layout`, computed when not given): `run(pairs)` evaluates elements 0 .. 2·pairs − 1
 * of the staged slots (see `layoutOf`), float32 in and out, doubles between.
 *
 * @example
 * ```ts
 * import { elementwiseModuleBytes } from './elementwise-kernel.js';
 * WebAssembly.validate(elementwiseModuleBytes({ size: 2, registers: 1, outputs: 1, sums: 0, float32: true, instructions: [
 *   { kind: 'unary', op: 'Neg', dst: 0, a: { kind: 'full', leaf: 0 } }, { kind: 'store', reg: 0, out: 0 },
 * ] })); // true
 * ```
 */
export function elementwiseModuleBytes(program: ElementwiseProgram, layout: Layout = layoutOf(program)): Uint8Array<ArrayBuffer> {
  const l = new Locals(['pairs'], I32);
  const p = l.add('p', I32);
  const regs = Array.from({ length: program.registers }, (_, r) => l.add(`r${r}`, V128));
  const full = new Map(layout.full.map((leaf) => [leaf, l.add(`f${leaf}`, V128)]));
  const scalars = new Map(layout.scalars.map((leaf) => [leaf, l.add(`s${leaf}`, V128)]));
  for (const n of ['ta', 'tx', 'ty', 'tk', 'tr', 'tem', 'ts', 'te']) l.add(n, V128);
  const operand = (o: Operand): Code => localGet(o.kind === 'reg' ? regs[o.reg] : o.kind === 'full' ? full.get(o.leaf)! : scalars.get(o.leaf)!);
  const statement = (ins: Instruction): Code => {
    switch (ins.kind) {
      case 'unary':
        return [...operand(ins.a), ...unaryCode(ins.op, l), ...localSet(regs[ins.dst])];
      case 'binary':
        return [...operand(ins.a), ...operand(ins.b), ...BINARY[ins.op], ...localSet(regs[ins.dst])];
      case 'store':
        return [...localGet(p), ...localGet(regs[ins.reg]), ...f32x4DemoteF64x2Zero, ...v128Store64Lane0(slotOffset(layout.full.length + ins.out))];
      default:
        throw new Error(`elementwise wasm: '${ins.kind}' instructions run in JavaScript`);
    }
  };
  const body: Code = [];
  // Scalars are the same for every element: loaded once per call.
  layout.scalars.forEach((leaf, i) => body.push(...i32Const(0), ...v128Load64Splat(layout.scalarBase + 8 * i), ...localSet(scalars.get(leaf)!)));
  const step: Code = [];
  layout.full.forEach((leaf, slot) => step.push(...localGet(p), ...v128Load64Zero(slotOffset(slot)), ...f64x2PromoteLowF32x4, ...localSet(full.get(leaf)!)));
  for (const ins of program.instructions) step.push(...statement(ins));
  step.push(...bump(p, i32Const(8)), ...countDown(l.get('pairs')));
  body.push(...loop(step));
  return encodeModule([{ name: 'run', params: [I32], locals: l.types, body }], [[]]);
}

/**
 * `program` compiled to WebAssembly, or undefined where it is not supported
 * (`wasmProgramSupported`) or the runtime refuses to compile it. The
 * function returned stages each chunk of the full leaves into the module's
 * own memory, runs it, and copies the outputs back; it returns false, doing
 * nothing, when a full leaf or an output is not a Float32Array (the caller
 * then runs the JavaScript loop).
 *
 * @example
 * ```ts
 * import { compileWasmProgram } from './elementwise-kernel.js';
 * const run = compileWasmProgram({ size: 3, registers: 1, outputs: 1, sums: 0, float32: true, instructions: [
 *   { kind: 'binary', op: 'Mul', dst: 0, a: { kind: 'full', leaf: 0 }, b: { kind: 'scalar', leaf: 1 } }, { kind: 'store', reg: 0, out: 0 },
 * ] });
 * const y = new Float32Array(3);
 * run?.([Float32Array.of(1, 2, 3), Float32Array.of(2)], [y]); // true; y = [2, 4, 6]
 * ```
 */
export function compileWasmProgram(program: ElementwiseProgram): WasmElementwise | undefined {
  if (!wasmProgramSupported(program)) return undefined;
  const layout = layoutOf(program);
  let run: (pairs: number) => void;
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(layout.bytes / 65536)) });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(elementwiseModuleBytes(program, layout)), { env: { memory } });
    run = instance.exports.run as (pairs: number) => void;
  } catch {
    // Refused (e.g. Chromium's main thread compiles at most 4 KiB synchronously; the char GPT's
    // largest program is 1.7 KiB): the JavaScript loop runs instead.
    return undefined;
  }
  const heap = new Float32Array(memory.buffer);
  const doubles = new Float64Array(memory.buffer);
  const outBase = layout.full.length * CHUNK;
  return (leaves, outputs) => {
    if (!layout.full.every((leaf) => leaves[leaf] instanceof Float32Array) || !outputs.every((o) => o instanceof Float32Array)) return false;
    layout.scalars.forEach((leaf, i) => {
      doubles[layout.scalarBase / 8 + i] = leaves[leaf][0];
    });
    for (let start = 0; start < program.size; start += CHUNK) {
      const n = Math.min(CHUNK, program.size - start);
      layout.full.forEach((leaf, slot) => heap.set(leaves[leaf].subarray(start, start + n), slot * CHUNK));
      // An odd count computes one more element from the slot's stale tail; it is not copied out.
      run((n + 1) >> 1);
      for (let o = 0; o < layout.outputs; o++) outputs[o].set(heap.subarray(outBase + o * CHUNK, outBase + o * CHUNK + n), start);
    }
    return true;
  };
}
