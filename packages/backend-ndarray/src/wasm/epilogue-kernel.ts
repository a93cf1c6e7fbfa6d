import {
  brIf,
  bump,
  countDown,
  f32Load,
  f32x4Add,
  f32x4Splat,
  I32,
  i32Const,
  i32Sub,
  localGet,
  localSet,
  localTee,
  Locals,
  loop,
  v128Load,
  v128Store,
  V128,
  type Code,
  type FunctionDef,
} from './assembler.js';

// A matrix product's epilogue (bias, residual addends) added in the heap, four
// lanes at a time, before the block is copied out: the same float32 additions
// in the same order as `storeRows` does them one element at a time in
// JavaScript (row bias, column bias, then each addend, each sum rounded to
// float32), at a fraction of the cost (about 0.3 ns an element against 3–4).

/**
 * `add_rows(c, a, rows, n4, ldc, lda)`: c[r, j] ← c[r, j] + a[r, j] for
 * `rows` rows of `n4` floats (a multiple of 4), row strides `ldc` and `lda`
 * in bytes. With `lda` 0 every row adds the same vector: a column bias.
 * `rows` and `n4` must not be 0 (the loops are do-while).
 *
 * @example
 * ```ts
 * import { addRowsFunction } from './epilogue-kernel.js';
 * addRowsFunction().name; // 'add_rows'
 * ```
 */
export function addRowsFunction(): FunctionDef {
  const l = new Locals(['c', 'a', 'rows', 'n4', 'ldc', 'lda'], I32);
  for (const n of ['j', 'cp', 'ap']) l.add(n, I32);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  const inner: Code = [
    ...g('cp'),
    ...g('cp'),
    ...v128Load(),
    ...g('ap'),
    ...v128Load(),
    ...f32x4Add,
    ...v128Store(),
    ...bump(l.get('cp'), i32Const(16)),
    ...bump(l.get('ap'), i32Const(16)),
    ...g('j'),
    ...i32Const(4),
    ...i32Sub,
    ...localTee(l.get('j')),
    ...brIf(0),
  ];
  const row: Code = [
    ...g('c'),
    ...s('cp'),
    ...g('a'),
    ...s('ap'),
    ...g('n4'),
    ...s('j'),
    ...loop(inner),
    ...bump(l.get('c'), g('ldc')),
    ...bump(l.get('a'), g('lda')),
    ...countDown(l.get('rows')),
  ];
  return { name: 'add_rows', params: [I32, I32, I32, I32, I32, I32], locals: l.types, body: loop(row) };
}

/**
 * `add_row_scalars(c, b, rows, n4, ldc)`: c[r, j] ← c[r, j] + b[r] for `rows`
 * rows of `n4` floats (a multiple of 4, row stride `ldc` bytes), b one float
 * per row: a row bias (a convolution's per-channel bias). `rows` and `n4`
 * must not be 0.
 *
 * @example
 * ```ts
 * import { addRowScalarsFunction } from './epilogue-kernel.js';
 * addRowScalarsFunction().name; // 'add_row_scalars'
 * ```
 */
export function addRowScalarsFunction(): FunctionDef {
  const l = new Locals(['c', 'b', 'rows', 'n4', 'ldc'], I32);
  for (const n of ['j', 'cp']) l.add(n, I32);
  const vb = l.add('vb', V128);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  const inner: Code = [
    ...g('cp'),
    ...g('cp'),
    ...v128Load(),
    ...localGet(vb),
    ...f32x4Add,
    ...v128Store(),
    ...bump(l.get('cp'), i32Const(16)),
    ...g('j'),
    ...i32Const(4),
    ...i32Sub,
    ...localTee(l.get('j')),
    ...brIf(0),
  ];
  const row: Code = [
    ...g('b'),
    ...f32Load(),
    ...f32x4Splat,
    ...localSet(vb),
    ...g('c'),
    ...s('cp'),
    ...g('n4'),
    ...s('j'),
    ...loop(inner),
    ...bump(l.get('c'), g('ldc')),
    ...bump(l.get('b'), i32Const(4)),
    ...countDown(l.get('rows')),
  ];
  return { name: 'add_row_scalars', params: [I32, I32, I32, I32, I32], locals: l.types, body: loop(row) };
}
