import { KernelWriter } from '../codegen.js';
import { sizeOfShape } from '../tensor.js';
import { launchTensor, unmask, type GpuKernel } from './context.js';
import { normalizedAt, normStats } from './layer-norm.js';
import { flatAt, rowMajorOperand } from './rows.js';

/**
 * Layer norm over the last axis in two kernels: the row statistics
 * (`normStats`: mean, corrected centring, rstd), then
 * `((x − m) − c)·rstd·weight + bias` per element. weight and bias are read
 * through their views; x row-major (copied once if it is not).
 *
 * @example
 * ```ts
 * // Runs for every LayerNorm node of a graph on createGpujsBackend(); direct use:
 * const y = LayerNorm([x, weight, bias], node, ctx);
 * ```
 */
export const LayerNorm: GpuKernel<'LayerNorm'> = (inputs, node, ctx) => {
  const size = sizeOfShape(node.shape);
  const width = node.shape[node.shape.length - 1];
  if (size === 0) return launchTensor(ctx, new KernelWriter('LayerNorm').finish(0, '0.0'), node.shape);
  const rows = size / width;
  const x = rowMajorOperand(ctx, inputs[0]);
  const [weight, bias] = inputs.slice(1).map((t) => unmask(ctx, t));
  const stats = normStats(ctx, x.t, rows, width, node.attrs.eps);
  try {
    const w = new KernelWriter('LayerNorm');
    const rx = w.tensor(x.t);
    const rs = w.tensor(stats);
    const rw = w.tensor(weight);
    const rb = w.tensor(bias);
    const i = w.index();
    const [row, j] = w.unravel(i, [rows, width]);
    const xhat = w.let(normalizedAt(rs, row, flatAt(rx, x.t, i)), 'xhat');
    return launchTensor(ctx, w.finish(size, `${xhat} * ${rw.at([j])} + ${rb.at([j])}`), node.shape);
  } finally {
    ctx.device.release(stats.storage);
    x.release();
  }
};
