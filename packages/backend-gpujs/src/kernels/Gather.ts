import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape } from '../tensor.js';
import { launchTensor, unmask, type GpuKernel } from './context.js';
import { idInRange } from './rows.js';

/**
 * Embedding lookup: output [..., w] element (n, j) is table[ids[n], j],
 * both operands read through their views. An id that is not an integer in
 * [0, V) (a computed one: fed ids are checked before the run) gives a zero
 * row, as core's decomposition does; the read then goes to row 0, so no
 * kernel ever addresses outside the table.
 *
 * @example
 * ```ts
 * // Runs for every Gather node of a graph on createGpujsBackend(); direct use:
 * const y = Gather([table, ids], node, ctx);
 * ```
 */
export const Gather: GpuKernel<'Gather'> = (inputs, node, ctx) => {
  const [table, ids] = inputs.map((t) => unmask(ctx, t));
  const [rows, width] = table.shape;
  const size = sizeOfShape(node.shape);
  const w = new KernelWriter('Gather');
  if (size === 0 || rows === 0) return launchTensor(ctx, w.finish(size, '0.0'), node.shape);
  const rt = w.tensor(table);
  const ri = w.tensor(ids);
  const [n, j] = w.unravel(w.index(), [sizeOfShape(ids.shape), width]);
  const id = w.let(ri.at(w.unravel(n, ids.shape)), 'id');
  const ok = w.let(`${idInRange(id, rows)} ? 1.0 : 0.0`, 'ok');
  const row = w.let(`${ok} > 0.5 ? ${id} : 0.0`, 'row');
  return launchTensor(ctx, w.finish(size, `(${ok} > 0.5 ? ${rt.at([row, j])} : ${lit(0)})`), node.shape);
};
