import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape, type GpuTensor } from '../tensor.js';
import { launchTensor, unmask, type DeviceContext, type GpuKernel } from './context.js';
import { asStored, normalizedAt, normStats, rowIndex, rstdAt } from './layer-norm.js';
import { flatAt, rowMajorOperand } from './rows.js';

/**
 * LayerNorm's input cotangents from x, weight and the output cotangent g,
 * with x̂ and rstd recomputed as LayerNorm's kernel computes them
 * (`normStats`). `wrt: 'weight'`: one thread per column summing g·x̂ down the
 * rows. `wrt: 'x'`: per row the means of ĝ = g·weight and of ĝ·x̂ (one more
 * statistics kernel), then `rstd·((ĝ − mean ĝ) − x̂·mean(ĝ·x̂))` per element.
 *
 * @example
 * ```ts
 * // Runs for every LayerNormGrad node of a graph on createGpujsBackend(); direct use:
 * const dx = LayerNormGrad([x, weight, g], node, ctx);
 * ```
 */
export const LayerNormGrad: GpuKernel<'LayerNormGrad'> = (inputs, node, ctx) => {
  const { eps, wrt } = node.attrs;
  const xShape = inputs[0].shape;
  const width = xShape[xShape.length - 1];
  const rows = width === 0 ? 0 : sizeOfShape(xShape) / width;
  if (rows === 0 || width === 0) return launchTensor(ctx, new KernelWriter('LayerNormGrad').finish(sizeOfShape(node.shape), '0.0'), node.shape);
  const x = rowMajorOperand(ctx, inputs[0]);
  const g = rowMajorOperand(ctx, inputs[2]);
  const weight = unmask(ctx, inputs[1]);
  const stats = normStats(ctx, x.t, rows, width, eps);
  try {
    return wrt === 'weight' ? weightGrad(ctx, x.t, g.t, stats, rows, width) : inputGrad(ctx, x.t, weight, g.t, stats, node.shape);
  } finally {
    ctx.device.release(stats.storage);
    x.release();
    g.release();
  }
};

/** d weight [width]: Σ over rows of g·x̂. */
function weightGrad(ctx: DeviceContext, x: GpuTensor, g: GpuTensor, stats: GpuTensor, rows: number, width: number): GpuTensor {
  const w = new KernelWriter('LayerNormGrad');
  const [rx, rg, rs] = [w.tensor(x), w.tensor(g), w.tensor(stats)];
  const j = w.index();
  const sum = w.let('0.0', 'sum');
  w.line(`for (let r = 0; r < ${rows}; r++) {`);
  w.line(`  let at = r * ${lit(width)} + ${j};`);
  w.line(`  ${sum} += ${flatAt(rg, g, 'at')} * ${normalizedAt(rs, 'r', flatAt(rx, x, 'at'))};`);
  w.line('}');
  return launchTensor(ctx, w.finish(width, sum), [width]);
}

/** dx, shaped like x: rstd·((ĝ − mean ĝ) − x̂·mean(ĝ·x̂)), ĝ = g·weight. */
function inputGrad(ctx: DeviceContext, x: GpuTensor, weight: GpuTensor, g: GpuTensor, stats: GpuTensor, shape: readonly number[]): GpuTensor {
  const width = shape[shape.length - 1];
  const rows = sizeOfShape(shape) / width;
  const means = gradMeans(ctx, x, weight, g, stats, rows, width);
  try {
    const w = new KernelWriter('LayerNormGrad');
    const [rx, rw, rg, rs, rm] = [w.tensor(x), w.tensor(weight), w.tensor(g), w.tensor(stats), w.tensor(means)];
    const i = w.index();
    const [row, j] = w.unravel(i, [rows, width]);
    // ĝ as gradMeans stored it (its mean over a one-wide row is ĝ itself: the difference must be 0).
    const gh = w.let(asStored(ctx, `${flatAt(rg, g, i)} * ${rw.at([j])}`), 'gh');
    const xhat = w.let(normalizedAt(rs, row, flatAt(rx, x, i)), 'xhat');
    const meanG = rm.atOffset(rowIndex(row, 2, 0));
    const meanGX = rm.atOffset(rowIndex(row, 2, 1));
    return launchTensor(ctx, w.finish(rows * width, `${rstdAt(rs, row)} * ((${gh} - ${meanG}) - ${xhat} * ${meanGX})`), shape);
  } finally {
    ctx.device.release(means.storage);
  }
}

/** [rows·2]: per row, mean(ĝ) then mean(ĝ·x̂). */
function gradMeans(ctx: DeviceContext, x: GpuTensor, weight: GpuTensor, g: GpuTensor, stats: GpuTensor, rows: number, width: number): GpuTensor {
  const w = new KernelWriter('LayerNormGrad');
  const [rx, rw, rg, rs] = [w.tensor(x), w.tensor(weight), w.tensor(g), w.tensor(stats)];
  const [row, part] = w.unravel(w.index(), [rows, 2]);
  const base = w.let(`${row} * ${lit(width)}`, 'base');
  const sum = w.let('0.0', 'sum');
  w.line(`for (let j = 0; j < ${width}; j++) {`);
  w.line(`  let gh = ${asStored(ctx, `${flatAt(rg, g, `${base} + j`)} * ${rw.at(['j'])}`)};`);
  w.line(`  ${sum} += ${part} < 0.5 ? gh : gh * ${normalizedAt(rs, row, flatAt(rx, x, `${base} + j`))};`);
  w.line('}');
  return launchTensor(ctx, w.finish(rows * 2, `${sum} / ${lit(width)}`), [rows * 2]);
}
