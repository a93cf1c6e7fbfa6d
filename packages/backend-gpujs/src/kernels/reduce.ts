import { KernelWriter } from '../codegen.js';
import { sizeOfShape } from '../tensor.js';
import { launchTensor, unmask, type DeviceContext } from './context.js';
import type { GpuTensor } from '../tensor.js';

/**
 * Writes a reduction over `axes` of `x`: each output element loops over the
 * reduced sub-block (one flat loop of fixed length, unravelled into the
 * reduced axes), starting from its first element so no ±∞ literal is needed.
 * An empty block yields `empty` (0 for sums, −∞ for max).
 *
 * @example
 * ```ts
 * const s = reduce(ctx, 'ReduceSum', x, [1], [2], (acc, v) => `${acc} + ${v}`, 0);
 * ```
 */
export function reduce(
  ctx: DeviceContext,
  op: string,
  input: GpuTensor,
  axes: readonly number[],
  outShape: readonly number[],
  combine: (acc: string, v: string) => string,
  empty: number,
): GpuTensor {
  const x = unmask(ctx, input);
  const rank = x.shape.length;
  const norm = axes.map((a) => (a + rank) % rank);
  const kept = x.shape.map((d, i) => (norm.includes(i) ? 1 : d));
  const reducedShape = norm
    .slice()
    .sort((a, b) => a - b)
    .map((a) => x.shape[a]);
  const count = sizeOfShape(reducedShape);
  const w = new KernelWriter(op);
  if (count === 0) return launchTensor(ctx, w.finish(sizeOfShape(outShape), w.uniform(empty)), outShape);
  const rx = w.tensor(x);
  const outer = w.unravel(w.index(), kept);
  const at = (flat: string): string => {
    const inner = w.unravel(flat, reducedShape);
    const coords = [...outer];
    norm
      .slice()
      .sort((a, b) => a - b)
      .forEach((axis, n) => (coords[axis] = inner[n]));
    return rx.at(coords);
  };
  const acc = w.let(at('0.0'), 'acc');
  w.line(`for (let q = 1; q < ${count}; q++) {`);
  const v = at('q');
  w.line(`${acc} = ${combine(acc, v)};`);
  w.line('}');
  return launchTensor(ctx, w.finish(sizeOfShape(outShape), acc), outShape);
}
