import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape, type GpuTensor } from '../tensor.js';
import { keptAt, launchTensor, maskedAt, unmask, type DeviceContext, type GpuKernel } from './context.js';

/**
 * Softmax over the last axis in two passes: a row-statistics kernel (thread
 * 2r holds row r's max, 2r+1 its Σ exp(x − max)), then one kernel writing
 * exp(x − max)/Σ. Both read the input through its view, so the attention
 * chain scores·(1/√D') → causal −∞ mask → softmax runs as these two kernels
 * with no masked or scaled copy of the T×T scores: masked entries are skipped
 * in the sums and written as 0 (exp(−∞) in the reference).
 *
 * @example
 * ```ts
 * // Runs for every Softmax node of a graph on createGpujsBackend(); direct use:
 * const y = Softmax([scores], node, ctx);
 * ```
 */
export const Softmax: GpuKernel<'Softmax'> = ([input], node, ctx) => {
  const x = input.mask === 'zero' ? unmask(ctx, input) : input;
  const masked = x.mask === 'neg-inf';
  const shape = node.shape;
  const n = shape[shape.length - 1];
  const rows = sizeOfShape(shape) / (n || 1);
  if (n === 0 || rows === 0) return launchTensor(ctx, new KernelWriter('Softmax').finish(0, '0.0'), shape);
  const stats = rowStats(ctx, x, masked, rows, n);
  try {
    const w = new KernelWriter('Softmax');
    const rx = w.tensor(x, { allowMask: true });
    const rs = w.tensor(stats);
    const coords = w.unravel(w.index(), shape);
    const row = w.let(`Math.floor((${w.index()} + 0.5) / ${lit(n)})`, 'row');
    const sum = w.let(rs.atOffset(`${row} * 2.0 + 1.0`), 'sum');
    const value = `Math.exp(${rx.at(coords)} - ${rs.atOffset(`${row} * 2.0`)}) / ${sum}`;
    // A masked entry is exp(−∞) = 0, except in a fully masked row (Σ = 0, only when Tq > Tk), which
    // the reference makes NaN. GLSL leaves 0/0 undefined, so NaN travels as a uniform.
    const [tq, tk] = shape.slice(-2);
    const hidden = tq > tk ? `(${sum} > 0.0 ? 0.0 : ${w.uniform(NaN)})` : '0.0';
    return launchTensor(ctx, w.finish(sizeOfShape(shape), masked ? `(${maskedAt(shape, coords)} ? ${hidden} : ${value})` : value), shape);
  } finally {
    ctx.device.release(stats.storage);
  }
};

/** [rows·2]: per row, max then Σ exp(x − max), over the entries the mask keeps. */
function rowStats(ctx: DeviceContext, x: GpuTensor, masked: boolean, rows: number, n: number): GpuTensor {
  const w = new KernelWriter('Softmax');
  const rx = w.tensor(x, { allowMask: true });
  const t = w.index();
  const row = w.let(`Math.floor((${t} + 0.5) / 2.0)`, 'row');
  const rowCoords = w.unravel(row, x.shape.slice(0, -1));
  const at = (j: string) => rx.at([...rowCoords, j]);
  const ifKept = (j: string, statement: string) => (masked ? `if (${keptAt(x.shape, [...rowCoords, j])}) { ${statement} }` : statement);
  // Column 0 is kept whenever anything in the row is (the mask hides a suffix);
  // a fully masked row gives Σ = 0 and so NaN, as in the reference.
  const max = w.let(at('0.0'), 'max');
  w.line(`for (let j = 1; j < ${n}; j++) { ${ifKept('j', `${max} = Math.max(${max}, ${at('j')});`)} }`);
  const sum = w.let('0.0', 'sum');
  w.line(`if (${t} - ${row} * 2.0 > 0.5) {`);
  w.line(`  for (let j = 0; j < ${n}; j++) { ${ifKept('j', `${sum} += Math.exp(${at('j')} - ${max});`)} }`);
  w.line('}');
  return launchTensor(ctx, w.finish(rows * 2, `(${t} - ${row} * 2.0 > 0.5 ? ${sum} : ${max})`), [rows * 2]);
}
