import type { Epilogue } from '../lib/epilogue.js';
import { copyRows, type WasmRuntime } from './runtime.js';

/**
 * Adds a product's epilogue to a block of C while it is still in the SIMD
 * runtime's heap, so that the block is then copied out plainly
 * (`storeRows(…, undefined)`): row bias, column bias, then each addend,
 * each sum rounded to float32 — the order and rounding of `storeRows`, so
 * the bits are those of the JavaScript path, at about a tenth of its cost.
 *
 * The block holds rows `r0 .. r0+rows` of the product (heap floats from
 * `cBase`, row stride `ldh`, `n4` columns of which the first `N` are C's);
 * `ep`'s operands index the whole product (addends with row stride `ldc`).
 * Operands are staged at `scratch`, which needs `max(rows, n4, rows · n4)`
 * floats. Returns false, having changed nothing, when an operand is not
 * float32 (the caller then applies `ep` in `storeRows`).
 *
 * @example
 * ```ts
 * import { heapEpilogue } from './heap-epilogue.js';
 * import { WasmRuntime } from './runtime.js';
 * const rt = new WasmRuntime();
 * const heap = rt.reserve(64);
 * heap.set([1, 2, 3, 4], 0); // one row of C, four columns
 * heapEpilogue(rt, 0, 4, 1, 4, 4, { colBias: { data: Float32Array.of(10, 20, 30, 40), off: 0 } }, 0, 4, 16); // heap[0..4] = [11, 22, 33, 44]
 * ```
 */
export function heapEpilogue(
  rt: WasmRuntime,
  cBase: number,
  ldh: number,
  rows: number,
  n4: number,
  N: number,
  ep: Epilogue,
  r0: number,
  ldc: number,
  scratch: number,
): boolean {
  const { rowBias, colBias, addends = [] } = ep;
  const operands = [rowBias, colBias, ...addends];
  if (!operands.every((o) => o === undefined || o.data instanceof Float32Array)) return false;
  if (rows === 0 || n4 === 0) return true;
  const heap = rt.heap;
  if (rowBias) {
    heap.set(rowBias.data.subarray(rowBias.off + r0, rowBias.off + r0 + rows), scratch);
    rt.addRowScalars(cBase * 4, scratch * 4, rows, n4, ldh * 4);
  }
  if (colBias) {
    heap.set(colBias.data.subarray(colBias.off, colBias.off + N), scratch);
    heap.fill(0, scratch + N, scratch + n4);
    rt.addRows(cBase * 4, scratch * 4, rows, n4, ldh * 4, 0);
  }
  for (const a of addends) {
    copyRows(a.data as Float32Array, a.off + r0 * ldc, ldc, heap, scratch, n4, rows, N);
    rt.addRows(cBase * 4, scratch * 4, rows, n4, ldh * 4, n4 * 4);
  }
  return true;
}
