// The WebAssembly form of float32 elementwise programs against the generated
// JavaScript loop, bit for bit: every op it supports, special values, chunk
// edges, scalars, random programs, GELU's forward and backward groups as the
// planner makes them; and the programs it leaves to JavaScript.
import { describe, expect, it } from 'vitest';
import { add, grad, GraphBuilder, matMul, mul, randomNormal, reduceSum, seededRandom, tanh } from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { compileProgram } from '../lib/elementwise-codegen.js';
import type { ElementwiseProgram, Instruction, Operand } from '../lib/elementwise-program.js';
import { planFusion } from '../fusion/plan.js';
import type { ElementwiseFusion } from '../fusion/elementwise-plan.js';
import { compileWasmProgram, ELEMENTWISE_CHUNK, wasmProgramSupported } from './elementwise-kernel.js';
import { wasmSimdAvailable } from './runtime.js';

const SPECIALS = [0, -0, 1, -1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-30, -1e-30, 1e-40, 9.1, -9.1, 20, -20, 0.5, 3e38];

/** Bits of a float32 array, with NaN as one value (payloads are not specified). */
const bits = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)].map((u, i) => (Number.isNaN(a[i]) ? 'NaN' : u));

/** Outputs of `program` through the JavaScript loop and through wasm (which must accept the arrays). */
function runBoth(program: ElementwiseProgram, leaves: Float32Array[]): { js: Float32Array[]; wasm: Float32Array[] } {
  const make = () => Array.from({ length: program.outputs }, () => new Float32Array(program.size));
  const js = make();
  const wasm = make();
  compileProgram(program)(leaves, js);
  const run = compileWasmProgram(program);
  expect(run, 'a supported program compiles').toBeDefined();
  expect(run!(leaves, wasm)).toBe(true);
  return { js, wasm };
}

function expectSameBits(program: ElementwiseProgram, leaves: Float32Array[], label: string): void {
  const { js, wasm } = runBoth(program, leaves);
  js.forEach((o, k) => expect(bits(wasm[k]), `${label}: output ${k}`).toEqual(bits(o)));
}

/** `n` float32 values: the special values first, then normal ones of mixed scales. */
function values(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, (_, i) => (i < SPECIALS.length ? SPECIALS[i] : (rand() - 0.5) * 10 ** (4 * rand() - 2)));
}

const full = (leaf: number): Operand => ({ kind: 'full', leaf });
const scalar = (leaf: number): Operand => ({ kind: 'scalar', leaf });
const reg = (r: number): Operand => ({ kind: 'reg', reg: r });

/** A float32 program over `size` elements, outputs counted from its stores. */
function program(size: number, registers: number, instructions: Instruction[]): ElementwiseProgram {
  const outputs = 1 + Math.max(-1, ...instructions.map((ins) => (ins.kind === 'store' ? ins.out : -1)));
  return { size, registers, outputs, sums: 0, float32: true, instructions };
}

describe.skipIf(!wasmSimdAvailable())('elementwise programs as WebAssembly (f64x2)', () => {
  it('each unary and binary op equals the JavaScript loop bit for bit, special values included', () => {
    const n = 257;
    const leaves = [values(n, 1), values(n, 2).reverse(), Float32Array.of(-0.75)];
    const stores: Instruction[] = [
      { kind: 'store', reg: 0, out: 0 },
      { kind: 'store', reg: 1, out: 1 },
    ];
    for (const op of ['Neg', 'Sqrt', 'Relu', 'Step', 'Tanh'] as const) {
      const instructions: Instruction[] = [{ kind: 'unary', op, dst: 0, a: full(0) }, { kind: 'unary', op, dst: 1, a: scalar(2) }, ...stores];
      expectSameBits(program(n, 2, instructions), leaves, op);
    }
    for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Equal'] as const) {
      const instructions: Instruction[] = [
        { kind: 'binary', op, dst: 0, a: full(0), b: full(1) },
        { kind: 'binary', op, dst: 1, a: scalar(2), b: full(0) },
        ...stores,
      ];
      expectSameBits(program(n, 2, instructions), leaves, op);
    }
  });

  it('tanh over ±12 in fine steps and on tiny arguments (the exponent-bit 2^k and the power-of-two quotients)', () => {
    const n = 200_001;
    const x = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    const tiny = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? -1 : 1) * 2 ** -(i * 2.3));
    const tanhOf = (size: number) =>
      program(size, 1, [
        { kind: 'unary', op: 'Tanh', dst: 0, a: full(0) },
        { kind: 'store', reg: 0, out: 0 },
      ]);
    expectSameBits(tanhOf(n), [x], 'tanh ±12');
    expectSameBits(tanhOf(tiny.length), [tiny], 'tanh tiny');
  });

  it('sizes around the staging chunk and odd sizes: every element computed, nothing written past the end', () => {
    const chain = (size: number) =>
      program(size, 2, [
        { kind: 'binary', op: 'Mul', dst: 0, a: full(0), b: scalar(1) },
        { kind: 'unary', op: 'Tanh', dst: 1, a: reg(0) },
        { kind: 'store', reg: 1, out: 0 },
        { kind: 'binary', op: 'Add', dst: 0, a: reg(1), b: full(0) },
        { kind: 'store', reg: 0, out: 1 },
      ]);
    const c = ELEMENTWISE_CHUNK;
    for (const size of [1, 2, 3, c - 1, c, c + 1, 2 * c - 1, 2 * c, 2 * c + 3])
      expectSameBits(chain(size), [values(size, size), Float32Array.of(0.3)], `size ${size}`);
    // A view into a larger array: the wasm form writes only the program's elements.
    const backing = new Float32Array(c + 6).fill(7);
    const view = backing.subarray(2, c + 3);
    expect(compileWasmProgram(chain(c + 1))!([values(c + 1, 9), Float32Array.of(0.3)], [view, new Float32Array(c + 1)])).toBe(true);
    expect([backing[0], backing[1], backing[c + 3], backing[c + 4], backing[c + 5]]).toEqual([7, 7, 7, 7, 7]);
  });

  it('random programs over registers, leaves and scalars equal the JavaScript loop', () => {
    const rand = seededRandom(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const unary = ['Neg', 'Sqrt', 'Relu', 'Step', 'Tanh'] as const;
    const binary = ['Add', 'Sub', 'Mul', 'Div', 'Equal'] as const;
    for (let trial = 0; trial < 40; trial++) {
      const size = 1 + Math.floor(rand() * 2.5 * ELEMENTWISE_CHUNK);
      const registers = 1 + Math.floor(rand() * 4);
      const leafCount = 1 + Math.floor(rand() * 3);
      const scalarLeaf = leafCount; // one scalar leaf after the full ones
      const written = new Set<number>();
      const source = (): Operand => {
        const r = [...written];
        const k = rand();
        if (r.length > 0 && k < 0.5) return reg(pick(r));
        return k < 0.85 ? full(Math.floor(rand() * leafCount)) : scalar(scalarLeaf);
      };
      const instructions: Instruction[] = [];
      let outputs = 0;
      for (let i = 0; i < 3 + Math.floor(rand() * 12); i++) {
        const dst = Math.floor(rand() * registers);
        instructions.push(
          rand() < 0.4 ? { kind: 'unary', op: pick(unary), dst, a: source() } : { kind: 'binary', op: pick(binary), dst, a: source(), b: source() },
        );
        written.add(dst);
        if (rand() < 0.3) instructions.push({ kind: 'store', reg: dst, out: outputs++ });
      }
      instructions.push({ kind: 'store', reg: pick([...written]), out: outputs++ });
      const leaves = [...Array.from({ length: leafCount }, (_, k) => values(size, 100 * trial + k)), Float32Array.of((rand() - 0.5) * 4)];
      expectSameBits(program(size, registers, instructions), leaves, `trial ${trial}`);
    }
  });

  it("GELU's forward and backward groups, as the planner makes them, equal the JavaScript loop", () => {
    const b = new GraphBuilder();
    const x = b.input('x', [5, 700]);
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    const y = mul(mul(x, 0.5), add(tanh(inner), 1));
    // A product after the GELU, as in the model's MLP: the forward and the backward are groups of their own.
    b.output('loss', reduceSum(matMul(y, b.input('w', [700, 3])), [0, 1]));
    const graph = grad(b.build(), 'loss', { wrt: ['x'] });
    const roles = [...planFusion(graph).values()].filter((r): r is ElementwiseFusion => r.kind === 'elementwise' && wasmProgramSupported(r.program));
    expect(roles.length, 'GELU forward and backward run as wasm').toBeGreaterThanOrEqual(2);
    for (const [i, role] of roles.entries()) {
      const leaves = role.leaves.map((id, k) => Float32Array.from(randomNormal(graph.nodes[id].shape, 10 * i + k).data, (v) => 3 * v));
      expectSameBits(role.program, leaves, `group ${i}`);
    }
  });

  it('leaves sums, broadcast loads, Exp, Log and float64 programs to JavaScript, and refuses float64 arrays at run time', () => {
    const base = { size: 4, registers: 1, outputs: 1, sums: 0, float32: true } as const;
    const store: Instruction = { kind: 'store', reg: 0, out: 0 };
    expect(wasmProgramSupported({ ...base, instructions: [{ kind: 'unary', op: 'Exp', dst: 0, a: full(0) }, store] })).toBe(false);
    expect(wasmProgramSupported({ ...base, instructions: [{ kind: 'unary', op: 'Log', dst: 0, a: full(0) }, store] })).toBe(false);
    expect(wasmProgramSupported({ ...base, instructions: [{ kind: 'load', dst: 0, leaf: 0, inner: 2, count: 2 }, store] })).toBe(false);
    expect(
      wasmProgramSupported({
        ...base,
        outputs: 0,
        sums: 1,
        instructions: [
          { kind: 'unary', op: 'Neg', dst: 0, a: full(0) },
          { kind: 'sum', reg: 0, acc: 0 },
        ],
      }),
    ).toBe(false);
    const neg: ElementwiseProgram = { ...base, instructions: [{ kind: 'unary', op: 'Neg', dst: 0, a: full(0) }, store] };
    expect(wasmProgramSupported({ ...neg, float32: false })).toBe(false);
    const run = compileWasmProgram(neg)!;
    const out = new Float32Array(4);
    expect(run([Float64Array.of(1, 2, 3, 4)], [out])).toBe(false);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(run([Float32Array.of(1, 2, 3, 4)], [new Float64Array(4)])).toBe(false);
  });

  it('the backend runs float32 GELU groups through wasm with the same outputs as simd: false (JavaScript loops)', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [8, 300]);
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    b.output('loss', reduceSum(mul(mul(mul(x, 0.5), add(tanh(inner), 1)), b.input('c', [8, 300])), [0, 1]));
    const graph = grad(b.build(), 'loss', { wrt: ['x'] });
    const feeds = { x: randomNormal([8, 300], 3), c: randomNormal([8, 300], 4) };
    const [simd, plain] = await Promise.all([createNdarrayBackend({ threads: 1 }).run(graph, feeds), createNdarrayBackend({ simd: false }).run(graph, feeds)]);
    expect(bits(simd['grad.x'].data as Float32Array)).toEqual(bits(plain['grad.x'].data as Float32Array));
  });
});
