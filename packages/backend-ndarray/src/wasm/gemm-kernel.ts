import {
  encodeModule,
  f32Add,
  f32Load,
  f32Store,
  f32x4Add,
  f32x4ExtractLane,
  f32x4Mul,
  I32,
  i32Add,
  i32Const,
  i32LtS,
  i32Mul,
  i32Shl,
  localGet,
  localSet,
  localTee,
  Locals,
  loop,
  brIf,
  v128Load,
  v128Zero,
  V128,
  type Code,
  type ValType,
} from './assembler.js';
import { convGatherFunction, convStageFunction } from './conv-layout-kernel.js';
import { addRowScalarsFunction, addRowsFunction } from './epilogue-kernel.js';
import { gemmAtbFunction } from './gemm-atb-kernel.js';
import { reluFunction } from './relu-kernel.js';
import { softmaxFunction } from './softmax-kernel.js';
import { softmaxGradFunction } from './softmax-grad-kernel.js';

/** Rows of A per register tile. */
export const TILE_M = 2;
/** Rows of B (columns of C) per register tile. */
export const TILE_N = 4;
/** K is walked four floats (one v128) at a time. */
export const TILE_K = 4;

const PARAMS = ['a', 'b', 'c', 'm', 'n', 'k', 'lda', 'ldb', 'ldc'];

/**
 * The body of `gemm(a, b, c, M, N, K, lda, ldb, ldc)`: C = A·Bᵀ in float32,
 * pointers and row strides in bytes, M a multiple of 2, N of 4, K of 4 (the
 * caller pads). A 2×4 tile keeps eight f32x4 partial sums in registers; each
 * step loads 2 vectors of A and 4 of B for 8 vector multiply-adds (64 flops),
 * and the tile's sums are reduced across lanes once at the end. Measured on
 * this machine's V8: 2×4 and 4×2 beat 4×4 (which spills) by ~1.5×.
 * With `accumulate`, C += A·Bᵀ instead (`gemm_acc`: the attention backward
 * sums dK and dV over query blocks in place).
 */
function gemmBody(accumulate = false): { locals: Locals; body: Code } {
  const l = new Locals(PARAMS, I32);
  for (const n of ['i', 'j', 'p', 'kb', 'co', 'a0', 'a1', 'b0', 'b1', 'b2', 'b3']) l.add(n, I32);
  const acc: number[][] = [];
  for (let r = 0; r < TILE_M; r++) acc.push(Array.from({ length: TILE_N }, (_, c) => l.add(`acc${r}${c}`, V128)));
  const va = Array.from({ length: TILE_M }, (_, r) => l.add(`va${r}`, V128));
  const vb = l.add('vb', V128);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));

  // One K step: load A rows and B rows at byte p, multiply-accumulate the tile.
  const step: Code = [];
  for (let r = 0; r < TILE_M; r++) step.push(...g(`a${r}`), ...g('p'), ...i32Add, ...v128Load(), ...localSet(va[r]));
  for (let c = 0; c < TILE_N; c++) {
    step.push(...g(`b${c}`), ...g('p'), ...i32Add, ...v128Load(), ...localSet(vb));
    for (let r = 0; r < TILE_M; r++) step.push(...localGet(acc[r][c]), ...localGet(va[r]), ...localGet(vb), ...f32x4Mul, ...f32x4Add, ...localSet(acc[r][c]));
  }
  step.push(...g('p'), ...i32Const(16), ...i32Add, ...localTee(l.get('p')), ...g('kb'), ...i32LtS, ...brIf(0));

  // One tile: B row pointers, zero sums, K loop, lane sums stored to C.
  const tile: Code = [...g('b'), ...g('j'), ...g('ldb'), ...i32Mul, ...i32Add, ...s('b0')];
  for (let c = 1; c < TILE_N; c++) tile.push(...g(`b${c - 1}`), ...g('ldb'), ...i32Add, ...s(`b${c}`));
  for (const row of acc) for (const a of row) tile.push(...v128Zero, ...localSet(a));
  tile.push(...i32Const(0), ...s('p'), ...loop(step));
  for (let r = 0; r < TILE_M; r++) {
    tile.push(...g('c'), ...g('i'), ...i32Const(r), ...i32Add, ...g('ldc'), ...i32Mul, ...i32Add, ...g('j'), ...i32Const(2), ...i32Shl, ...i32Add, ...s('co'));
    for (let c = 0; c < TILE_N; c++) {
      const a = acc[r][c];
      tile.push(...g('co'), ...localGet(a), ...f32x4ExtractLane(0), ...localGet(a), ...f32x4ExtractLane(1), ...f32Add);
      tile.push(...localGet(a), ...f32x4ExtractLane(2), ...f32Add, ...localGet(a), ...f32x4ExtractLane(3), ...f32Add);
      if (accumulate) tile.push(...g('co'), ...f32Load(4 * c), ...f32Add);
      tile.push(...f32Store(4 * c));
    }
  }
  tile.push(...g('j'), ...i32Const(TILE_N), ...i32Add, ...localTee(l.get('j')), ...g('n'), ...i32LtS, ...brIf(0));

  // Rows of A in pairs; for each, every tile of columns.
  const rows: Code = [...g('a'), ...g('i'), ...g('lda'), ...i32Mul, ...i32Add, ...s('a0')];
  for (let r = 1; r < TILE_M; r++) rows.push(...g(`a${r - 1}`), ...g('lda'), ...i32Add, ...s(`a${r}`));
  rows.push(...i32Const(0), ...s('j'), ...loop(tile));
  rows.push(...g('i'), ...i32Const(TILE_M), ...i32Add, ...localTee(l.get('i')), ...g('m'), ...i32LtS, ...brIf(0));

  const body: Code = [...g('k'), ...i32Const(2), ...i32Shl, ...s('kb'), ...i32Const(0), ...s('i'), ...loop(rows)];
  return { locals: l, body };
}

/**
 * The SIMD module's bytes: imports `env.memory`, exports `gemm`, `gemm_acc`,
 * `gemm_atb` (gemm-atb-kernel.ts), `softmax_grad_rows` (softmax-grad-kernel.ts),
 * `softmax_rows` (softmax-kernel.ts), `relu` (relu-kernel.ts), `add_rows` and
 * `add_row_scalars` (epilogue-kernel.ts), `conv_stage` and `conv_gather`
 * (conv-layout-kernel.ts).
 * Callers must not pass M, N or K of 0: the loops are do-while.
 *
 * @example
 * ```ts
 * import { gemmModuleBytes } from './gemm-kernel.js';
 * WebAssembly.validate(gemmModuleBytes()); // true where wasm SIMD is supported
 * ```
 */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  const plain = gemmBody();
  const acc = gemmBody(true);
  const params: ValType[] = PARAMS.map(() => I32);
  return encodeModule(
    [
      { name: 'gemm', params, locals: plain.locals.types, body: plain.body },
      { name: 'gemm_acc', params, locals: acc.locals.types, body: acc.body },
      gemmAtbFunction(),
      softmaxFunction(),
      softmaxGradFunction(),
      reluFunction(),
      addRowsFunction(),
      addRowScalarsFunction(),
      convStageFunction(),
      convGatherFunction(),
    ],
    [[], [], [], [], [], [], [], [], [], []],
  );
}
