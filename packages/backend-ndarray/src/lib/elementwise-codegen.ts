import type { FloatData } from '../handle.js';
import { programLeaves, registerLength, runProgram, type ElementwiseProgram, type Instruction, type Operand } from './elementwise-program.js';
import { tanh32 } from './tanh.js';

// The same program as one JavaScript loop: every register a local variable,
// every instruction an expression, so each element goes through the whole
// chain in CPU registers. The interpreter (`runProgram`) walks float64
// blocks in memory, instruction by instruction, and costs 3–10 ns per
// element and instruction on the CI machine; the generated loop about a
// tenth of that. The generated source holds only the program's structure
// (op templates, register and leaf indices, block and broadcast integers),
// never a value or a name from a graph. Where `new Function` is refused (a
// page whose Content-Security-Policy forbids 'unsafe-eval'), the
// interpreter runs instead, with identical results: both compute in double
// in the same order and add sums a block at a time.

/** A program ready to run: leaves and outputs as in `runProgram`, returns the sums. */
export type CompiledProgram = (leaves: readonly FloatData[], outputs: readonly FloatData[]) => number[];

const UNARY: Readonly<Record<string, (a: string) => string>> = {
  Neg: (a) => `-${a}`,
  Exp: (a) => `Math.exp(${a})`,
  Log: (a) => `Math.log(${a})`,
  Sqrt: (a) => `Math.sqrt(${a})`,
  Relu: (a) => `(${a} < 0 ? 0 : ${a})`,
  Step: (a) => `(${a} !== ${a} ? NaN : +(${a} > 0))`,
  Tanh: (a) => `tanh(${a})`,
};

const BINARY: Readonly<Record<string, (a: string, b: string) => string>> = {
  Add: (a, b) => `${a} + ${b}`,
  Sub: (a, b) => `${a} - ${b}`,
  Mul: (a, b) => `${a} * ${b}`,
  Div: (a, b) => `${a} / ${b}`,
  Equal: (a, b) => `(${a} === ${b} ? 1 : 0)`,
};

const int = (v: number) => {
  if (!Number.isSafeInteger(v)) throw new Error(`elementwise program: ${v} is not an integer`);
  return String(v);
};

function operand(o: Operand): string {
  if (o.kind === 'reg') return `r${int(o.reg)}`;
  return o.kind === 'scalar' ? `s${int(o.leaf)}` : `l${int(o.leaf)}[i]`;
}

function statement(ins: Instruction): string {
  switch (ins.kind) {
    case 'unary':
      return `r${int(ins.dst)} = ${UNARY[ins.op](operand(ins.a))};`;
    case 'binary':
      return `r${int(ins.dst)} = ${BINARY[ins.op](operand(ins.a), operand(ins.b))};`;
    case 'load':
      return `r${int(ins.dst)} = l${int(ins.leaf)}[((i / ${int(ins.inner)}) | 0) % ${int(ins.count)}];`;
    case 'store':
      return `o${int(ins.out)}[i] = r${int(ins.reg)};`;
    case 'sum':
      return `p${int(ins.acc)} += r${int(ins.reg)};`;
  }
}

/**
 * The JavaScript source of `program`'s loop (the body of a function of
 * `leaves`, `outputs` and `tanh`).
 *
 * @example
 * ```ts
 * import { programSource } from './elementwise-codegen.js';
 * programSource({ size: 4, registers: 1, outputs: 1, sums: 0, float32: true, instructions: [
 *   { kind: 'unary', op: 'Exp', dst: 0, a: { kind: 'full', leaf: 0 } },
 *   { kind: 'store', reg: 0, out: 0 },
 * ] }); // '… r0 = Math.exp(l0[i]); o0[i] = r0; …'
 * ```
 */
export function programSource(program: ElementwiseProgram): string {
  const { perElement: leaves, scalars } = programLeaves(program);
  const sums = Array.from({ length: program.sums }, (_, k) => k);
  const lines = [
    ...leaves.map((l) => `const l${int(l)} = leaves[${int(l)}];`),
    ...scalars.map((l) => `const s${int(l)} = leaves[${int(l)}][0];`),
    ...Array.from({ length: program.outputs }, (_, k) => `const o${int(k)} = outputs[${int(k)}];`),
    ...sums.map((k) => `let t${k} = 0;`),
    `let ${Array.from({ length: Math.max(program.registers, 1) }, (_, r) => `r${r} = 0`).join(', ')};`,
    `const size = ${int(program.size)};`,
    `for (let start = 0; start < size; start += ${int(registerLength(program.size))}) {`,
    `  const end = Math.min(size, start + ${int(registerLength(program.size))});`,
    ...sums.map((k) => `  let p${k} = 0;`),
    '  for (let i = start; i < end; i++) {',
    ...program.instructions.map((ins) => `    ${statement(ins)}`),
    '  }',
    ...sums.map((k) => `  t${k} += p${k};`),
    '}',
    `return [${sums.map((k) => `t${k}`).join(', ')}];`,
  ];
  return lines.join('\n');
}

/** Whether this runtime lets us build functions from source (false under a CSP without 'unsafe-eval'). */
let codegen: boolean | undefined;

/**
 * `program` as a function: the generated loop, or the block interpreter
 * where functions cannot be built from source. Same results either way.
 *
 * @example
 * ```ts
 * import { compileProgram } from './elementwise-codegen.js';
 * const run = compileProgram({ size: 2, registers: 1, outputs: 1, sums: 1, float32: false, instructions: [
 *   { kind: 'binary', op: 'Mul', dst: 0, a: { kind: 'full', leaf: 0 }, b: { kind: 'full', leaf: 0 } },
 *   { kind: 'store', reg: 0, out: 0 },
 *   { kind: 'sum', reg: 0, acc: 0 },
 * ] });
 * const y = new Float64Array(2);
 * run([Float64Array.of(3, 4)], [y]); // [25]; y = [9, 16]
 * ```
 */
export function compileProgram(program: ElementwiseProgram): CompiledProgram {
  const interpret: CompiledProgram = (leaves, outputs) =>
    runProgram(program, leaves, outputs, new Float64Array(program.registers * registerLength(program.size)));
  if (codegen === false) return interpret;
  let body: (leaves: readonly FloatData[], outputs: readonly FloatData[], tanh: (x: number) => number) => number[];
  try {
    body = new Function('leaves', 'outputs', 'tanh', programSource(program)) as typeof body;
    codegen = true;
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    codegen = false;
    return interpret;
  }
  const tanh = program.float32 ? tanh32 : Math.tanh;
  return (leaves, outputs) => body(leaves, outputs, tanh);
}
