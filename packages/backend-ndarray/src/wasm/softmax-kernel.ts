import {
  block,
  br,
  brIf,
  f32Add,
  f32Const,
  f32Div,
  f32Max,
  f32x4Add,
  f32x4Const,
  f32x4ExtractLane,
  f32x4Lt,
  f32x4Max,
  f32x4Mul,
  f32x4Nearest,
  f32x4Splat,
  f32x4Sub,
  I32,
  i32Add,
  i32And,
  i32Const,
  i32GeS,
  i32LtS,
  i32ShrU,
  i32Mul,
  i32Shl,
  i32x4Add,
  i32x4Const,
  i32x4LtS,
  i32x4Shl,
  i32x4Splat,
  i32x4TruncSatF32x4S,
  localGet,
  localSet,
  localTee,
  Locals,
  loop,
  v128And,
  v128Bitselect,
  v128Load,
  v128Store,
  v128Zero,
  V128,
  F32,
  type Code,
  type FunctionDef,
  type ValType,
} from './assembler.js';

/** Parameters of `softmax_rows`. */
export const SOFTMAX_PARAMS: readonly [string, ValType][] = [
  ['ptr', I32],
  ['rows', I32],
  ['ld', I32],
  ['v0', I32],
  ['dv', I32],
  ['width', I32],
  ['scale', F32],
];

/**
 * exp(x) is exactly 0 below this (e^x < 1e-30): smaller probabilities change
 * nothing a float32 result can show, but every product they enter is
 * subnormal, which x86 computes some 100× slower (wasm keeps subnormals), and
 * peaked attention rows are full of them.
 */
export const EXP_FLOOR = -69.0776;

/**
 * exp(x) on four lanes (Cephes expf: x = n·ln2 + r, |r| ≤ ln2/2, degree-6
 * polynomial, 2ⁿ built in the exponent bits); about 1 ulp. Below EXP_FLOOR the
 * result is exactly 0, so masked −Inf scores give 0 as in the reference; NaN
 * stays NaN. Leaves the result on the
 * stack; `x`, `n`, `r`, `p`, `low` are scratch v128 locals.
 */
function exp4(x: number, n: number, r: number, p: number, low: number): Code {
  const c: Code = [];
  c.push(...localGet(x), ...f32x4Const(EXP_FLOOR), ...f32x4Lt, ...localSet(low));
  c.push(...localGet(x), ...f32x4Const(EXP_FLOOR), ...f32x4Max, ...localSet(x));
  c.push(...localGet(x), ...f32x4Const(Math.LOG2E), ...f32x4Mul, ...f32x4Nearest, ...localSet(n));
  c.push(...localGet(x), ...localGet(n), ...f32x4Const(0.693359375), ...f32x4Mul, ...f32x4Sub);
  c.push(...localGet(n), ...f32x4Const(-2.1219444e-4), ...f32x4Mul, ...f32x4Sub, ...localSet(r));
  c.push(...f32x4Const(1.98756915e-4));
  for (const k of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
    c.push(...localGet(r), ...f32x4Mul, ...f32x4Const(k), ...f32x4Add);
  }
  c.push(...localSet(p));
  // y = p·r² + r + 1
  c.push(...localGet(p), ...localGet(r), ...f32x4Mul, ...localGet(r), ...f32x4Mul, ...localGet(r), ...f32x4Add, ...f32x4Const(1), ...f32x4Add);
  // · 2ⁿ
  c.push(...localGet(n), ...i32x4TruncSatF32x4S, ...i32x4Const(127, 127, 127, 127), ...i32x4Add, ...i32Const(23), ...i32x4Shl, ...f32x4Mul);
  // Lanes that were below the range (never NaN ones) become 0.
  c.push(...localSet(p), ...v128Zero, ...localGet(p), ...localGet(low), ...v128Bitselect);
  return c;
}

/**
 * `softmax_rows(ptr, rows, ld, v0, dv, width, scale)`: for each row r of a
 * float32 strip (row stride `ld` bytes, at least `width` rounded up to 4
 * floats), the softmax of `scale·x` over its first `valid = min(v0 + r·dv,
 * width)` entries (the caller guarantees valid ≥ 1), written in place, and
 * zeros from there to the row's padded end. Three vector passes (max; exp
 * and sum; scale), masking the lanes past `valid` in the last vector.
 */
function softmaxBody(): { locals: Locals; body: Code } {
  const l = new Locals(
    SOFTMAX_PARAMS.map(([n]) => n),
    I32,
  );
  for (const n of ['r', 'row', 'valid', 'j', 'vEnd', 'wEnd']) l.add(n, I32);
  for (const n of ['max', 'sum']) l.add(n, F32);
  for (const n of ['sv', 'mv', 'acc', 'mask', 'x', 'n', 'rr', 'p', 'vv', 'low']) l.add(n, V128);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  const t = (name: string) => localTee(l.get(name));

  // Per-lane "index < valid" mask for the vector at byte j (lane index = j/4 + lane).
  const mask: Code = [
    ...i32x4Const(0, 1, 2, 3),
    ...g('j'),
    ...i32Const(2),
    ...i32ShrU,
    ...i32x4Splat,
    ...i32x4Add,
    ...g('valid'),
    ...i32x4Splat,
    ...i32x4LtS,
    ...s('mask'),
  ];
  const load = (into: string): Code => [...g('row'), ...g('j'), ...i32Add, ...v128Load(), ...g('sv'), ...f32x4Mul, ...s(into)];
  const nextJ = (end: string): Code => [...g('j'), ...i32Const(16), ...i32Add, ...t('j'), ...g(end), ...i32LtS, ...brIf(0)];

  const pass1: Code = [
    ...mask,
    ...load('x'),
    ...g('x'),
    ...f32x4Const(-Infinity),
    ...g('mask'),
    ...v128Bitselect,
    ...g('acc'),
    ...f32x4Max,
    ...s('acc'),
    ...nextJ('vEnd'),
  ];
  const hmax: Code = [
    ...g('acc'),
    ...f32x4ExtractLane(0),
    ...g('acc'),
    ...f32x4ExtractLane(1),
    ...f32Max,
    ...g('acc'),
    ...f32x4ExtractLane(2),
    ...f32Max,
    ...g('acc'),
    ...f32x4ExtractLane(3),
    ...f32Max,
    ...s('max'),
  ];
  const pass2: Code = [
    ...mask,
    ...load('x'),
    ...g('x'),
    ...g('mv'),
    ...f32x4Sub,
    ...s('x'),
    ...exp4(l.get('x'), l.get('n'), l.get('rr'), l.get('p'), l.get('low')),
    ...g('mask'),
    ...v128And,
    ...s('x'),
    ...g('row'),
    ...g('j'),
    ...i32Add,
    ...g('x'),
    ...v128Store(),
    ...g('acc'),
    ...g('x'),
    ...f32x4Add,
    ...s('acc'),
    ...nextJ('vEnd'),
  ];
  const hsum: Code = [
    ...g('acc'),
    ...f32x4ExtractLane(0),
    ...g('acc'),
    ...f32x4ExtractLane(1),
    ...f32Add,
    ...g('acc'),
    ...f32x4ExtractLane(2),
    ...f32Add,
    ...g('acc'),
    ...f32x4ExtractLane(3),
    ...f32Add,
    ...s('sum'),
  ];
  const pass3: Code = [
    ...g('row'),
    ...g('j'),
    ...i32Add,
    ...g('row'),
    ...g('j'),
    ...i32Add,
    ...v128Load(),
    ...g('vv'),
    ...f32x4Mul,
    ...v128Store(),
    ...nextJ('vEnd'),
  ];
  const zeros: Code = block(
    loop([
      ...g('j'),
      ...g('wEnd'),
      ...i32GeS,
      ...brIf(1),
      ...g('row'),
      ...g('j'),
      ...i32Add,
      ...v128Zero,
      ...v128Store(),
      ...g('j'),
      ...i32Const(16),
      ...i32Add,
      ...s('j'),
      ...br(0),
    ]),
  );
  // Bytes to the end of `count` floats rounded up to a whole vector.
  const vecEnd = (count: Code): Code => [...count, ...i32Const(3), ...i32Add, ...i32Const(-4), ...i32And, ...i32Const(2), ...i32Shl];

  const rowBody: Code = [
    ...g('ptr'),
    ...g('r'),
    ...g('ld'),
    ...i32Mul,
    ...i32Add,
    ...s('row'),
    ...g('v0'),
    ...g('r'),
    ...g('dv'),
    ...i32Mul,
    ...i32Add,
    ...s('valid'),
    ...block([...g('valid'), ...g('width'), ...i32LtS, ...brIf(0), ...g('width'), ...s('valid')]),
    ...vecEnd(g('valid')),
    ...s('vEnd'),
    ...i32Const(0),
    ...s('j'),
    ...f32x4Const(-Infinity),
    ...s('acc'),
    ...loop(pass1),
    ...hmax,
    ...g('max'),
    ...f32x4Splat,
    ...s('mv'),
    ...i32Const(0),
    ...s('j'),
    ...v128Zero,
    ...s('acc'),
    ...loop(pass2),
    ...hsum,
    ...f32Const(1),
    ...g('sum'),
    ...f32Div,
    ...f32x4Splat,
    ...s('vv'),
    ...i32Const(0),
    ...s('j'),
    ...loop(pass3),
    ...zeros,
    ...g('r'),
    ...i32Const(1),
    ...i32Add,
    ...t('r'),
    ...g('rows'),
    ...i32LtS,
    ...brIf(0),
  ];
  const body: Code = [...g('scale'), ...f32x4Splat, ...s('sv'), ...vecEnd(g('width')), ...s('wEnd'), ...i32Const(0), ...s('r'), ...loop(rowBody)];
  return { locals: l, body };
}

/**
 * The softmax function for the wasm module (see `softmaxBody`).
 *
 * @example
 * ```ts
 * import { softmaxFunction } from './softmax-kernel.js';
 * softmaxFunction().name; // 'softmax_rows'
 * ```
 */
export function softmaxFunction(): FunctionDef {
  const { locals, body } = softmaxBody();
  return { name: 'softmax_rows', params: SOFTMAX_PARAMS.map(([, t]) => t), locals: locals.types, body };
}
