import {
  f32Load,
  f32x4Abs,
  f32x4Const,
  f32x4Lt,
  f32x4Mul,
  f32x4Splat,
  f32x4Sub,
  F32,
  v128Bitselect,
  v128Zero,
  I32,
  i32Add,
  i32Const,
  i32Sub,
  localGet,
  localSet,
  localTee,
  Locals,
  loop,
  brIf,
  v128Load,
  v128Store,
  V128,
  type Code,
  type FunctionDef,
} from './assembler.js';

/** dS entries smaller than this in magnitude are stored as 0 (see the loop). */
const DS_FLOOR = 2 ** -100;

/**
 * `softmax_grad_rows(p, dp, d, rows, width4, ld, scale)`: for each of `rows`
 * rows, p[j] ← scale · p[j] · (dp[j] − d[r]) over the row's first `width4`
 * floats (a multiple of 4), where p and dp are rows of stride `ld` bytes and
 * d holds one float per row: the softmax VJP given the probabilities P,
 * dP = g·vᵀ and rowsum(g ⊙ out), four lanes at a time, in place of P.
 * Results below 2⁻¹⁰⁰ in magnitude are stored as 0, so the products that
 * follow never meet subnormal operands.
 *
 * @example
 * ```ts
 * import { softmaxGradFunction } from './softmax-grad-kernel.js';
 * softmaxGradFunction().name; // 'softmax_grad_rows'
 * ```
 */
export function softmaxGradFunction(): FunctionDef {
  const l = new Locals(['p', 'dp', 'd', 'rows', 'width4', 'ld'], I32);
  l.add('scale', F32);
  for (const n of ['j', 'pp', 'qp']) l.add(n, I32);
  const vd = l.add('vd', V128);
  const vs = l.add('vs', V128);
  const vr = l.add('vr', V128);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  const inner: Code = [
    ...g('pp'),
    ...v128Load(),
    ...g('qp'),
    ...v128Load(),
    ...localGet(vd),
    ...f32x4Sub,
    ...f32x4Mul,
    ...localGet(vs),
    ...f32x4Mul,
    ...localSet(vr),
    // |dS| below 2⁻¹⁰⁰ becomes 0: it would only make subnormal products in dS·k and dSᵀ·q.
    ...g('pp'),
    ...v128Zero,
    ...localGet(vr),
    ...localGet(vr),
    ...f32x4Abs,
    ...f32x4Const(DS_FLOOR),
    ...f32x4Lt,
    ...v128Bitselect,
    ...v128Store(),
    ...g('pp'),
    ...i32Const(16),
    ...i32Add,
    ...s('pp'),
    ...g('qp'),
    ...i32Const(16),
    ...i32Add,
    ...s('qp'),
    ...g('j'),
    ...i32Const(4),
    ...i32Sub,
    ...localTee(l.get('j')),
    ...brIf(0),
  ];
  const row: Code = [
    ...g('d'),
    ...f32Load(),
    ...f32x4Splat,
    ...localSet(vd),
    ...g('p'),
    ...s('pp'),
    ...g('dp'),
    ...s('qp'),
    ...g('width4'),
    ...s('j'),
    ...loop(inner),
    ...g('p'),
    ...g('ld'),
    ...i32Add,
    ...s('p'),
    ...g('dp'),
    ...g('ld'),
    ...i32Add,
    ...s('dp'),
    ...g('d'),
    ...i32Const(4),
    ...i32Add,
    ...s('d'),
    ...g('rows'),
    ...i32Const(1),
    ...i32Sub,
    ...localTee(l.get('rows')),
    ...brIf(0),
  ];
  const body: Code = [...localGet(l.get('scale')), ...f32x4Splat, ...localSet(vs), ...loop(row)];
  return { name: 'softmax_grad_rows', params: [I32, I32, I32, I32, I32, I32, F32], locals: l.types.slice(1), body };
}
