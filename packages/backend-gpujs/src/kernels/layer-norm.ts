// The row statistics LayerNorm and LayerNormGrad share, as one kernel.
//
// Rows are centred by the corrected two-pass method: a float32 mean m of a
// row far from 0 is off by up to half an ulp of m (4e-6 at 100), which
// divided by a small standard deviation is a visible error in x̂. So each
// row keeps m and c = mean(x − m), the mean of the residuals (small, so
// accurate), and x̂ = ((x − m) − c)·rstd, where x − m is exact for x near
// m. The variance is the mean of squares of those centred values, never
// E[x²] − E[x]².

import { KernelWriter, lit } from '../codegen.js';
import type { GpuTensor } from '../tensor.js';
import { launchTensor, type DeviceContext } from './context.js';
import { flatAt } from './rows.js';

/** Values per row in the statistics: m, c, rstd. */
export const STATS_PER_ROW = 3;

/**
 * Per row of the row-major `x` viewed as [rows, width]: the mean m, the mean
 * c of x − m, and rstd = 1/√(var + eps), in a [rows·3] storage (thread 3r
 * holds row r's m, 3r+1 its c, 3r+2 its rstd). `eps` travels as a uniform.
 *
 * @example
 * ```ts
 * const stats = normStats(ctx, x, rows, width, 1e-5); // the caller releases it
 * ```
 */
export function normStats(ctx: DeviceContext, x: GpuTensor, rows: number, width: number, eps: number): GpuTensor {
  const w = new KernelWriter('LayerNorm');
  const rx = w.tensor(x);
  const [row, part] = w.unravel(w.index(), [rows, STATS_PER_ROW]);
  const base = w.let(`${row} * ${lit(width)}`, 'base');
  const at = (j: string) => flatAt(rx, x, `${base} + ${j}`);
  const m = w.let('0.0', 'm');
  w.line(`for (let j = 0; j < ${width}; j++) { ${m} += ${at('j')}; }`);
  // The kernels that read m back see it as stored, in float32: c must be taken against that m.
  w.line(`${m} = ${asStored(ctx, `${m} / ${lit(width)}`)};`);
  const c = w.let('0.0', 'c');
  w.line(`for (let j = 0; j < ${width}; j++) { ${c} += ${at('j')} - ${m}; }`);
  w.line(`${c} = ${c} / ${lit(width)};`);
  const squares = w.let('0.0', 'sq');
  w.line(`for (let j = 0; j < ${width}; j++) { let d = (${at('j')} - ${m}) - ${c}; ${squares} += d * d; }`);
  const rstd = `${lit(1)} / Math.sqrt(${squares} / ${lit(width)} + ${w.uniform(eps)})`;
  return launchTensor(ctx, w.finish(rows * STATS_PER_ROW, `(${part} < 0.5 ? ${m} : (${part} < 1.5 ? ${c} : ${rstd}))`), [rows * STATS_PER_ROW]);
}

/**
 * `expr` rounded to float32 as a storage will hold it. gpu.js's cpu mode
 * computes in JavaScript doubles and rounds only when it stores an output, so
 * a value that one kernel stores and another recomputes must be rounded the
 * same way for their difference to cancel; every other mode computes in
 * float32 already.
 *
 * @example
 * ```ts
 * asStored(ctx, 'm / 8.0'); // 'Math.fround(m / 8.0)' in cpu mode, else 'm / 8.0'
 * ```
 */
export function asStored(ctx: DeviceContext, expr: string): string {
  return ctx.device.mode === 'cpu' ? `Math.fround(${expr})` : expr;
}

/**
 * The expression for x̂ at row `row` of x's value `x`, reading `stats` (what
 * `normStats` made) through `reader`: `((x − m) − c)·rstd`.
 *
 * @example
 * ```ts
 * const rs = w.tensor(stats);
 * const xhat = w.let(normalizedAt(rs, row, xValue), 'xhat');
 * ```
 */
export function normalizedAt(reader: { atOffset(o: string): string }, row: string, x: string): string {
  const at = (k: number) => reader.atOffset(rowIndex(row, STATS_PER_ROW, k));
  return `((${x} - ${at(0)}) - ${at(1)}) * ${at(2)}`;
}

/**
 * The expression for rstd of row `row`, reading `stats` through `reader`.
 *
 * @example
 * ```ts
 * rstdAt(rs, 'row'); // 't1[row * 3.0 + 2.0]'
 * ```
 */
export function rstdAt(reader: { atOffset(o: string): string }, row: string): string {
  return reader.atOffset(rowIndex(row, STATS_PER_ROW, 2));
}

/**
 * The index of value `k` of row `row` in a storage holding `per` values per
 * row. A row that `unravel` resolved to the literal '0.0' (a single row) gives
 * a literal: gpu.js's GL translation mistypes an index made only of literals
 * (`t[0.0 * 3.0]` fails to compile).
 *
 * @example
 * ```ts
 * rowIndex('row', 3, 2); // 'row * 3.0 + 2.0'
 * rowIndex('0.0', 3, 2); // '2.0'
 * ```
 */
export function rowIndex(row: string, per: number, k: number): string {
  if (row === '0.0') return lit(k);
  return `${row} * ${lit(per)}${k ? ` + ${lit(k)}` : ''}`;
}
