import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape } from '../tensor.js';
import { launchTensor, type GpuKernel } from './context.js';
import { flatAt, rowMajorOperand } from './rows.js';

/**
 * Gather's table gradient: output [rows, w] element (r, j) sums
 * updates[n, j] over every n whose id equals r. gpu.js has no atomic adds,
 * so each output element visits every id (rows·w·N reads; for the char
 * GPT's embedding, 84·128 outputs over B·T ids) instead of each update being
 * added into place. An id that is not an integer in [0, rows) equals no r,
 * so its row is dropped and nothing is written out of bounds.
 *
 * @example
 * ```ts
 * // Runs for every ScatterAdd node of a graph on createGpujsBackend(); direct use:
 * const dTable = ScatterAdd([ids, updates], node, ctx);
 * ```
 */
export const ScatterAdd: GpuKernel<'ScatterAdd'> = (inputs, node, ctx) => {
  const [rows, width] = node.shape;
  const n = sizeOfShape(inputs[0].shape);
  const size = rows * width;
  if (size === 0 || n === 0) return launchTensor(ctx, new KernelWriter('ScatterAdd').finish(size, '0.0'), node.shape);
  const ids = rowMajorOperand(ctx, inputs[0]);
  const updates = rowMajorOperand(ctx, inputs[1]);
  try {
    const w = new KernelWriter('ScatterAdd');
    const ri = w.tensor(ids.t);
    const ru = w.tensor(updates.t);
    const [r, j] = w.unravel(w.index(), [rows, width]);
    const sum = w.let('0.0', 'sum');
    if (ctx.device.gl || ctx.device.async) {
      w.line(`for (let k = 0; k < ${n}; k++) {`);
      w.line(`  if (${flatAt(ri, ids.t, 'k')} === ${r}) { ${sum} += ${flatAt(ru, updates.t, `k * ${lit(width)} + ${j}`)}; }`);
      w.line('}');
    } else {
      // On the CPU (cpu, webasm) step the offsets instead of recomputing them, as in MatMul.
      const at = w.let(lit(0), 'at');
      const from = w.let(j, 'from');
      w.line(`for (let k = 0; k < ${n}; k++) {`);
      w.line(`  if (${flatAt(ri, ids.t, at)} === ${r}) { ${sum} += ${flatAt(ru, updates.t, from)}; }`);
      w.line(`  ${at} += 1.0; ${from} += ${lit(width)};`);
      w.line('}');
    }
    return launchTensor(ctx, w.finish(size, sum), node.shape);
  } finally {
    ids.release();
    updates.release();
  }
};
