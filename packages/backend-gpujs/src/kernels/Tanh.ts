import { lit } from '../codegen.js';
import { elementwise, type GpuKernel } from './context.js';

/**
 * Elementwise tanh, reading `x` through its view. On the CPU modes it is
 * `Math.tanh` (gpu.js's webasm computes it in float64, then rounds). GLSL ES
 * 1.0 has no tanh and gpu.js's stand-in, `(e^2x − 1)/(e^2x + 1)`, is ∞/∞ = NaN
 * from x ≈ 44 on; so the GL and WebGPU kernels use
 * `sign(x)·(1 − e^−2|x|)/(1 + e^−2|x|)`, whose exponential never overflows
 * (±1 for large |x| and ±∞) and whose error is a float32 ulp of 1 (6e-8)
 * at worst, near 0.
 *
 * @example
 * ```ts
 * // Runs for every Tanh node of a graph on createGpujsBackend(); direct use:
 * const y = Tanh([x], node, ctx);
 * ```
 */
export const Tanh: GpuKernel<'Tanh'> = ([x], node, ctx) => {
  if (!ctx.device.gl && !ctx.device.async) return elementwise(ctx, 'Tanh', [x], node.shape, ([v]) => `Math.tanh(${v})`);
  return elementwise(ctx, 'Tanh', [x], node.shape, ([v]) => {
    const e = `Math.exp(${lit(-2)} * Math.abs(${v}))`;
    const magnitude = `(${lit(1)} - ${e}) / (${lit(1)} + ${e})`;
    return `(${v} < 0.0 ? -(${magnitude}) : ${magnitude})`;
  });
};
