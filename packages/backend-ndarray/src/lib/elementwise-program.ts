import type { FloatData } from '../handle.js';
import { tanh32 } from './tanh.js';

// A group of elementwise nodes of one element count run as one pass: a small
// register program evaluated a block of elements at a time, so intermediate
// values live in a few cache-resident float64 blocks instead of whole
// tensors, and a chain of a dozen nodes (AdamW's update, GELU and its
// gradient, the clipping coefficient) costs one kernel call.

/** The unary ops a program runs, each as its ndarray kernel computes it (in double). */
export const UNARY_OPS = ['Neg', 'Exp', 'Log', 'Sqrt', 'Relu', 'Step', 'Tanh'] as const;
/** The binary ops a program runs (operands broadcast to the member's shape). */
export const BINARY_OPS = ['Add', 'Sub', 'Mul', 'Div', 'Equal'] as const;

export type UnaryOp = (typeof UNARY_OPS)[number];
export type BinaryOp = (typeof BINARY_OPS)[number];

/**
 * Where an instruction reads a value: a register (a block of float64), a
 * leaf tensor of the group's element count read at the block's offset, or
 * a single-valued leaf (a scalar, or any shape of one element).
 */
export type Operand = { readonly kind: 'reg'; readonly reg: number } | { readonly kind: 'full' | 'scalar'; readonly leaf: number };

/** One step of a program. */
export type Instruction =
  | { readonly kind: 'unary'; readonly op: UnaryOp; readonly dst: number; readonly a: Operand }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly dst: number; readonly a: Operand; readonly b: Operand }
  /** Leaf value `floor(i / inner) mod count` for element i (a broadcast leaf: a bias row, a per-row factor). */
  | { readonly kind: 'load'; readonly dst: number; readonly leaf: number; readonly inner: number; readonly count: number }
  /** Register copied to output `out` (rounded to its dtype) at the block's offset. */
  | { readonly kind: 'store'; readonly reg: number; readonly out: number }
  /** Register summed into accumulator `acc` (a ReduceSum over every axis). */
  | { readonly kind: 'sum'; readonly reg: number; readonly acc: number };

/** A compiled group: `size` elements per pass, registers of `block` elements. */
export interface ElementwiseProgram {
  readonly size: number;
  readonly registers: number;
  readonly instructions: readonly Instruction[];
  /** Outputs stored (`store.out` indexes them). */
  readonly outputs: number;
  /** Sums accumulated (`sum.acc` indexes them). */
  readonly sums: number;
  /** Outputs are float32: Tanh may take the float32-accurate `tanh32` (Math.tanh otherwise). */
  readonly float32: boolean;
}

/**
 * The leaves `program` reads, each once, in order of first use: those read
 * per element (`full` operands and broadcast `load`s) and those read as one
 * value (`scalar` operands).
 *
 * @example
 * ```ts
 * import { programLeaves } from './elementwise-program.js';
 * programLeaves({ size: 2, registers: 1, outputs: 1, sums: 0, float32: true, instructions: [
 *   { kind: 'binary', op: 'Mul', dst: 0, a: { kind: 'full', leaf: 0 }, b: { kind: 'scalar', leaf: 1 } },
 *   { kind: 'store', reg: 0, out: 0 },
 * ] }); // { perElement: [0], scalars: [1] }
 * ```
 */
export function programLeaves(program: ElementwiseProgram): { readonly perElement: number[]; readonly scalars: number[] } {
  const perElement = new Set<number>();
  const scalars = new Set<number>();
  for (const ins of program.instructions) {
    if (ins.kind === 'load') perElement.add(ins.leaf);
    if (ins.kind === 'unary' || ins.kind === 'binary') {
      for (const o of ins.kind === 'unary' ? [ins.a] : [ins.a, ins.b]) {
        if (o.kind === 'full') perElement.add(o.leaf);
        if (o.kind === 'scalar') scalars.add(o.leaf);
      }
    }
  }
  return { perElement: [...perElement], scalars: [...scalars] };
}

/** Elements per block: 8 KiB per float64 register, so a program's registers stay in L1/L2. */
export const BLOCK = 1024;

/**
 * The elements of one register for a program over `size` elements: a block,
 * or the whole of a smaller program (a scalar chain needs one element each).
 *
 * @example
 * ```ts
 * import { registerLength } from './elementwise-program.js';
 * registerLength(1); // 1
 * registerLength(1 << 20); // 1024
 * ```
 */
export function registerLength(size: number): number {
  return Math.min(BLOCK, Math.max(size, 1));
}

/**
 * Runs `program` over `leaves` (each the group's element count, a single
 * value, or a broadcast pattern the program loads): every store writes its
 * output array, every sum returns a double total. Registers are scratch of
 * the caller's (`scratch.length ≥ registers · registerLength(size)`).
 *
 * @example
 * ```ts
 * import { runProgram, type ElementwiseProgram } from './elementwise-program.js';
 * // y = (x + 1) · x, stored; and Σ y
 * const program: ElementwiseProgram = { size: 3, registers: 1, outputs: 1, sums: 1, float32: true, instructions: [
 *   { kind: 'binary', op: 'Add', dst: 0, a: { kind: 'full', leaf: 0 }, b: { kind: 'scalar', leaf: 1 } },
 *   { kind: 'binary', op: 'Mul', dst: 0, a: { kind: 'reg', reg: 0 }, b: { kind: 'full', leaf: 0 } },
 *   { kind: 'store', reg: 0, out: 0 },
 *   { kind: 'sum', reg: 0, acc: 0 },
 * ] };
 * const y = new Float32Array(3);
 * runProgram(program, [Float32Array.of(1, 2, 3), Float32Array.of(1)], [y], new Float64Array(3)); // [20]; y = [2, 6, 12]
 * ```
 */
export function runProgram(program: ElementwiseProgram, leaves: readonly FloatData[], outputs: readonly FloatData[], scratch: Float64Array): number[] {
  const sums = new Array<number>(program.sums).fill(0);
  const { size, instructions } = program;
  const block = registerLength(size);
  for (let start = 0; start < size; start += block) {
    const n = Math.min(block, size - start);
    for (const ins of instructions) {
      switch (ins.kind) {
        case 'unary': {
          const a = ins.a;
          const d = ins.dst * block;
          if (a.kind === 'scalar') scratch.fill(unaryValue(ins.op, leaves[a.leaf][0]), d, d + n);
          else if (a.kind === 'reg') unaryLoop(ins.op, scratch, d, scratch, a.reg * block, n, program.float32);
          else unaryLoop(ins.op, scratch, d, leaves[a.leaf], start, n, program.float32);
          break;
        }
        case 'binary':
          binary(ins.op, scratch, ins.dst * block, ins.a, ins.b, leaves, scratch, block, start, n);
          break;
        case 'load':
          loadPattern(scratch, ins.dst * block, leaves[ins.leaf], start, n, ins.inner, ins.count);
          break;
        case 'store':
          outputs[ins.out].set(scratch.subarray(ins.reg * block, ins.reg * block + n), start);
          break;
        case 'sum': {
          const r = ins.reg * block;
          let s = 0;
          for (let j = 0; j < n; j++) s += scratch[r + j];
          sums[ins.acc] += s;
          break;
        }
      }
    }
  }
  return sums;
}

/** `d[j] = x[floor((start + j) / inner) mod count]` for j < n, walked in runs of equal index. */
function loadPattern(d: Float64Array, doff: number, x: FloatData, start: number, n: number, inner: number, count: number): void {
  let j = 0;
  while (j < n) {
    const i = start + j;
    const q = Math.floor(i / inner);
    const v = x[q % count];
    const end = Math.min(n, (q + 1) * inner - start);
    for (; j < end; j++) d[doff + j] = v;
  }
}

/** One unary op on one value, as the op's kernel computes it. */
function unaryValue(op: UnaryOp, v: number): number {
  switch (op) {
    case 'Neg':
      return -v;
    case 'Exp':
      return Math.exp(v);
    case 'Log':
      return Math.log(v);
    case 'Sqrt':
      return Math.sqrt(v);
    case 'Relu':
      return v < 0 ? 0 : v;
    case 'Step':
      return v !== v ? Number.NaN : +(v > 0);
    case 'Tanh':
      return Math.tanh(v);
  }
}

function unaryLoop(op: UnaryOp, d: Float64Array, doff: number, x: FloatData, xoff: number, n: number, float32: boolean): void {
  switch (op) {
    case 'Neg':
      for (let j = 0; j < n; j++) d[doff + j] = -x[xoff + j];
      return;
    case 'Exp':
      for (let j = 0; j < n; j++) d[doff + j] = Math.exp(x[xoff + j]);
      return;
    case 'Log':
      for (let j = 0; j < n; j++) d[doff + j] = Math.log(x[xoff + j]);
      return;
    case 'Sqrt':
      for (let j = 0; j < n; j++) d[doff + j] = Math.sqrt(x[xoff + j]);
      return;
    case 'Relu':
      // x < 0 ? 0 : x keeps NaN and −0, as the Relu kernel's bitmask does.
      for (let j = 0; j < n; j++) {
        const v = x[xoff + j];
        d[doff + j] = v < 0 ? 0 : v;
      }
      return;
    case 'Step':
      for (let j = 0; j < n; j++) {
        const v = x[xoff + j];
        d[doff + j] = v !== v ? Number.NaN : +(v > 0);
      }
      return;
    case 'Tanh':
      if (float32) for (let j = 0; j < n; j++) d[doff + j] = tanh32(x[xoff + j]);
      else for (let j = 0; j < n; j++) d[doff + j] = Math.tanh(x[xoff + j]);
      return;
  }
}

/** One binary op on two values. */
function binaryValue(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'Add':
      return a + b;
    case 'Sub':
      return a - b;
    case 'Mul':
      return a * b;
    case 'Div':
      return a / b;
    case 'Equal':
      return a === b ? 1 : 0;
  }
}

function binary(
  op: BinaryOp,
  d: Float64Array,
  doff: number,
  a: Operand,
  b: Operand,
  leaves: readonly FloatData[],
  regs: Float64Array,
  block: number,
  start: number,
  n: number,
): void {
  if (a.kind === 'scalar' && b.kind === 'scalar') {
    d.fill(binaryValue(op, leaves[a.leaf][0], leaves[b.leaf][0]), doff, doff + n);
    return;
  }
  if (b.kind === 'scalar') {
    const [x, xo] = a.kind === 'reg' ? [regs, a.reg * block] : [leaves[a.leaf], start];
    arrayScalar(op, d, doff, x, xo, leaves[b.leaf][0], n);
    return;
  }
  const [y, yo] = b.kind === 'reg' ? [regs, b.reg * block] : [leaves[b.leaf], start];
  if (a.kind === 'scalar') {
    scalarArray(op, d, doff, leaves[a.leaf][0], y, yo, n);
    return;
  }
  const [x, xo] = a.kind === 'reg' ? [regs, a.reg * block] : [leaves[a.leaf], start];
  arrayArray(op, d, doff, x, xo, y, yo, n);
}

function arrayArray(op: BinaryOp, d: Float64Array, doff: number, x: FloatData, xo: number, y: FloatData, yo: number, n: number): void {
  switch (op) {
    case 'Add':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] + y[yo + j];
      return;
    case 'Sub':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] - y[yo + j];
      return;
    case 'Mul':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] * y[yo + j];
      return;
    case 'Div':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] / y[yo + j];
      return;
    case 'Equal':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] === y[yo + j] ? 1 : 0;
      return;
  }
}

function arrayScalar(op: BinaryOp, d: Float64Array, doff: number, x: FloatData, xo: number, c: number, n: number): void {
  switch (op) {
    case 'Add':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] + c;
      return;
    case 'Sub':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] - c;
      return;
    case 'Mul':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] * c;
      return;
    case 'Div':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] / c;
      return;
    case 'Equal':
      for (let j = 0; j < n; j++) d[doff + j] = x[xo + j] === c ? 1 : 0;
      return;
  }
}

function scalarArray(op: BinaryOp, d: Float64Array, doff: number, c: number, y: FloatData, yo: number, n: number): void {
  switch (op) {
    case 'Add':
      for (let j = 0; j < n; j++) d[doff + j] = c + y[yo + j];
      return;
    case 'Sub':
      for (let j = 0; j < n; j++) d[doff + j] = c - y[yo + j];
      return;
    case 'Mul':
      for (let j = 0; j < n; j++) d[doff + j] = c * y[yo + j];
      return;
    case 'Div':
      for (let j = 0; j < n; j++) d[doff + j] = c / y[yo + j];
      return;
    case 'Equal':
      for (let j = 0; j < n; j++) d[doff + j] = c === y[yo + j] ? 1 : 0;
      return;
  }
}
