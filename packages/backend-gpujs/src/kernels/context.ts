import type { GraphContext, KernelFn, OpName } from '@sas/core';
import { KernelWriter, lit, type Reader } from '../codegen.js';
import type { GpuDevice, Launch } from '../device/device.js';
import { broadcastStridesOf, fromStorage, rowMajor, sizeOfShape, view, type GpuTensor } from '../tensor.js';

/** What the launch helpers need: the device to launch on. */
export interface DeviceContext {
  readonly device: GpuDevice;
}

/** What every kernel gets besides its inputs: the device, and the graph of the run (to see an operand's node). */
export interface KernelContext extends DeviceContext, GraphContext {}

/** A kernel of op `N` on this backend: core's `KernelFn` over gpu tensors. Returns a new handle. */
export type GpuKernel<N extends OpName> = KernelFn<GpuTensor, KernelContext, N>;

/**
 * Launches `launch` and wraps its output as a fresh row-major tensor of `shape`.
 *
 * @example
 * ```ts
 * const y = launchTensor(ctx, writer.finish(6, 'x0'), [2, 3]);
 * ```
 */
export function launchTensor(ctx: DeviceContext, launch: Launch, shape: readonly number[]): GpuTensor {
  return fromStorage(ctx.device.launch(launch), shape);
}

/**
 * The expression that is true where a causal mask hides [.., i, j] of a `shape`-shaped view.
 *
 * @example
 * ```ts
 * maskedAt([4, 6], ['i', 'j']); // 'j > i + 2.0'
 * ```
 */
export function maskedAt(shape: readonly number[], coords: readonly string[]): string {
  const [tq, tk] = shape.slice(-2);
  const i = coords[coords.length - 2];
  const j = coords[coords.length - 1];
  return `${j} > ${i} + ${lit(tk - tq)}`;
}

/**
 * The complement of `maskedAt`: true where a causal mask keeps [.., i, j].
 *
 * @example
 * ```ts
 * keptAt([4, 6], ['i', 'j']); // 'j <= i + 2.0'
 * ```
 */
export function keptAt(shape: readonly number[], coords: readonly string[]): string {
  const [tq, tk] = shape.slice(-2);
  return `${coords[coords.length - 1]} <= ${coords[coords.length - 2]} + ${lit(tk - tq)}`;
}

/**
 * Computes `t` (view, scale and mask applied) into a new row-major storage.
 * This is the one copy kernel: downloads of views, Reshapes of non-row-major
 * views and masked views read by kernels other than Softmax all go through it.
 *
 * @example
 * ```ts
 * const plain = materialize(ctx, transposedView); // row-major copy, owned by the caller
 * ```
 */
export function materialize(ctx: DeviceContext, t: GpuTensor): GpuTensor {
  const w = new KernelWriter(t.mask ? 'CausalMask' : 'Copy');
  const x = w.tensor(t, { allowMask: true });
  const coords = w.unravel(w.index(), t.shape);
  let value = x.at(coords);
  if (t.mask !== null) {
    // −∞ cannot be written as a GLSL literal; it travels as a uniform.
    const fill = w.uniform(t.mask === 'neg-inf' ? -Infinity : 0);
    value = `(${maskedAt(t.shape, coords)} ? ${fill} : ${value})`;
  }
  return launchTensor(ctx, w.finish(sizeOfShape(t.shape), value), t.shape);
}

/**
 * `t` without a pending mask: `t` itself, or its masked values computed once
 * and cached on `t` (freed with it). The result is borrowed, not owned.
 *
 * @example
 * ```ts
 * const scores = unmask(ctx, maskedScores); // −∞ written in, cached on maskedScores
 * ```
 */
export function unmask(ctx: DeviceContext, t: GpuTensor): GpuTensor {
  if (t.mask === null) return t;
  if (!t.unmasked) t.unmasked = materialize(ctx, t);
  return t.unmasked;
}

/**
 * Writes an elementwise kernel over `outShape`: each input is read at the
 * broadcast position of the output index (directly by index when its view is
 * already row-major over the output), then combined by `f`.
 *
 * @example
 * ```ts
 * const sum = elementwise(ctx, 'Add', [a, b], [2, 3], ([x, y]) => `${x} + ${y}`);
 * ```
 */
export function elementwise(
  ctx: DeviceContext,
  op: string,
  inputs: readonly GpuTensor[],
  outShape: readonly number[],
  f: (values: string[]) => string,
): GpuTensor {
  const w = new KernelWriter(op);
  const plain = inputs.map((t) => unmask(ctx, t));
  const readers: Reader[] = plain.map((t) => w.tensor(t));
  const flat = w.index();
  const outStrides = rowMajor(outShape);
  let coords: string[] | null = null;
  const values = plain.map((t, k) => {
    const strides = broadcastStridesOf(t, outShape);
    const sameWalk = t.offset === 0 && outShape.every((d, a) => d <= 1 || strides[a] === outStrides[a]);
    if (sameWalk) return w.let(readers[k].atOffset(flat));
    coords ??= w.unravel(flat, outShape);
    const lead = outShape.length - t.shape.length;
    // Read through the input's own axes: drop the leading broadcast axes, zero the stretched ones.
    const own = coords.slice(lead).map((c, j) => (t.shape[j] === 1 ? '0.0' : c));
    return w.let(readers[k].at(own));
  });
  return launchTensor(ctx, w.finish(sizeOfShape(outShape), f(values)), outShape);
}

export { view };
