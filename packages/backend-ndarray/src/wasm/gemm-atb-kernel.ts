import {
  f32Load,
  f32x4Add,
  f32x4Mul,
  f32x4Splat,
  I32,
  i32Add,
  i32Const,
  i32Mul,
  i32Sub,
  localGet,
  localSet,
  localTee,
  Locals,
  loop,
  brIf,
  v128Load,
  v128Store,
  v128Zero,
  V128,
  type Code,
  type FunctionDef,
} from './assembler.js';

/** Rows of C per register tile of `gemm_atb` (M must be a multiple). */
export const ATB_TILE_M = 4;
/** Columns of C per register tile of `gemm_atb` (N must be a multiple): two v128. */
export const ATB_TILE_N = 8;

const PARAMS = ['a', 'b', 'c', 'm', 'n', 'k', 'lda', 'ldb', 'ldc'];

/**
 * `gemm_atb(a, b, c, M, N, K, lda, ldb, ldc)`: C += Aᵀ·B in float32, for A
 * [K × M] and B [K × N] row-major (pointers and row strides in bytes), M a
 * multiple of 4, N of 8, K ≥ 1. The outer-product form: each K step loads
 * two vectors of one row of B and four scalars of one row of A (splat), and
 * does 8 vector multiply-adds into a 4×8 tile of sums held in registers,
 * which start at 0 and are added to C at the end: a caller that cuts K into
 * blocks gets the sum of per-block sums, whose float32 rounding error grows
 * with the block length and the block count rather than with K. No operand
 * is ever transposed. The attention backward's dV = Pᵀ·g and
 * dK = dSᵀ·q contract over query rows, which is exactly this layout.
 *
 * @example
 * ```ts
 * import { gemmAtbFunction } from './gemm-atb-kernel.js';
 * gemmAtbFunction().name; // 'gemm_atb'
 * ```
 */
export function gemmAtbFunction(): FunctionDef {
  const l = new Locals(PARAMS, I32);
  for (const n of ['i', 'j', 'p', 'ap', 'bp', 'c0', 'c1', 'c2', 'c3']) l.add(n, I32);
  const acc = Array.from({ length: ATB_TILE_M }, (_, r) => [l.add(`acc${r}0`, V128), l.add(`acc${r}1`, V128)]);
  const va = l.add('va', V128);
  const vb = [l.add('vb0', V128), l.add('vb1', V128)];
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  const rowPtr = (r: number) => `c${r}`;

  // One K step: two vectors of B's row, then per row of the tile one splat of A and two multiply-adds.
  const step: Code = [...g('bp'), ...v128Load(), ...localSet(vb[0]), ...g('bp'), ...v128Load(16), ...localSet(vb[1])];
  for (let r = 0; r < ATB_TILE_M; r++) {
    step.push(...g('ap'), ...f32Load(4 * r), ...f32x4Splat, ...localSet(va));
    for (let h = 0; h < 2; h++) step.push(...localGet(acc[r][h]), ...localGet(va), ...localGet(vb[h]), ...f32x4Mul, ...f32x4Add, ...localSet(acc[r][h]));
  }
  step.push(...g('ap'), ...g('lda'), ...i32Add, ...s('ap'), ...g('bp'), ...g('ldb'), ...i32Add, ...s('bp'));
  step.push(...g('p'), ...i32Const(1), ...i32Sub, ...localTee(l.get('p')), ...brIf(0));

  // One tile: row pointers into C, load the sums, K loop, store them back.
  const tile: Code = [...g('c'), ...g('i'), ...g('ldc'), ...i32Mul, ...i32Add, ...g('j'), ...i32Const(4), ...i32Mul, ...i32Add, ...s(rowPtr(0))];
  for (let r = 1; r < ATB_TILE_M; r++) tile.push(...g(rowPtr(r - 1)), ...g('ldc'), ...i32Add, ...s(rowPtr(r)));
  for (let r = 0; r < ATB_TILE_M; r++) for (let h = 0; h < 2; h++) tile.push(...v128Zero, ...localSet(acc[r][h]));
  tile.push(...g('a'), ...g('i'), ...i32Const(4), ...i32Mul, ...i32Add, ...s('ap'));
  tile.push(...g('b'), ...g('j'), ...i32Const(4), ...i32Mul, ...i32Add, ...s('bp'));
  tile.push(...g('k'), ...s('p'), ...loop(step));
  for (let r = 0; r < ATB_TILE_M; r++)
    for (let h = 0; h < 2; h++) tile.push(...g(rowPtr(r)), ...g(rowPtr(r)), ...v128Load(16 * h), ...localGet(acc[r][h]), ...f32x4Add, ...v128Store(16 * h));
  tile.push(...g('j'), ...i32Const(ATB_TILE_N), ...i32Add, ...localTee(l.get('j')), ...g('n'), ...i32Sub, ...brIf(0));

  const rows: Code = [...i32Const(0), ...s('j'), ...loop(tile)];
  rows.push(...g('i'), ...i32Const(ATB_TILE_M), ...i32Add, ...localTee(l.get('i')), ...g('m'), ...i32Sub, ...brIf(0));
  const body: Code = [...i32Const(0), ...s('i'), ...loop(rows)];
  return { name: 'gemm_atb', params: PARAMS.map(() => I32), locals: l.types, body };
}
