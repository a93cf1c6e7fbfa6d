import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape } from '../tensor.js';
import { launchTensor, unmask, type GpuKernel } from './context.js';

/**
 * Batched a·b over the last two axes, either side transposed, batch axes
 * broadcast. Operands are read through their views, so the [B,T,H',D] ↔
 * [B,H',T,D] transposes around attention and the score scale cost no pass of
 * their own; the two scales multiply the finished sum once.
 *
 * @example
 * ```ts
 * // Runs for every MatMul node of a graph on createGpujsBackend(); direct use:
 * const y = MatMul([a, b], node, ctx);
 * ```
 */
export const MatMul: GpuKernel<'MatMul'> = (inputs, node, ctx) => {
  const [a, b] = inputs.map((t) => unmask(ctx, t));
  const { transposeA, transposeB } = node.attrs;
  const out = node.shape;
  const k = transposeA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  const w = new KernelWriter('MatMul');
  const ra = w.tensor({ ...a, scale: 1 });
  const rb = w.tensor({ ...b, scale: 1 });
  const coords = w.unravel(w.index(), out);
  const [row, col] = coords.slice(-2);
  const batch = coords.slice(0, -2);
  // Base offsets: each operand's batch coordinates (broadcast: dropped leading axes, stretched size-1 axes).
  const baseOf = (t: typeof a, r: typeof ra, fixed: string, fixedAxis: number) => {
    const lead = batch.length - (t.shape.length - 2);
    const own = batch.slice(lead).map((c, j) => (t.shape[j] === 1 ? '0.0' : c));
    const full = [...own, '0.0', '0.0'];
    full[t.shape.length - 2 + fixedAxis] = fixed;
    return w.let(r.offset(full), 'base');
  };
  // a's element (row, p) sits on axis -2 (or -1 when transposed); b's (p, col) on axis -1 (or -2).
  const aBase = baseOf(a, ra, row, transposeA ? 1 : 0);
  const bBase = baseOf(b, rb, col, transposeB ? 0 : 1);
  const aStep = a.strides[a.shape.length - (transposeA ? 2 : 1)];
  const bStep = b.strides[b.shape.length - (transposeB ? 1 : 2)];
  const sum = w.let('0.0', 'sum');
  if (ctx.device.gl || ctx.device.async) {
    w.line(`for (let p = 0; p < ${k}; p++) { ${sum} += ${ra.name}[${aBase} + p * ${lit(aStep)}] * ${rb.name}[${bBase} + p * ${lit(bStep)}]; }`);
  } else {
    // On the CPU (cpu, webasm) stepping the two offsets beats recomputing them: about 2× on a 256² product.
    w.line(`for (let p = 0; p < ${k}; p++) { ${sum} += ${ra.name}[${aBase}] * ${rb.name}[${bBase}]; ${aBase} += ${lit(aStep)}; ${bBase} += ${lit(bStep)}; }`);
  }
  const scale = a.scale * b.scale;
  const result = scale === 1 ? sum : `${sum} * ${w.uniform(scale)}`;
  return launchTensor(ctx, w.finish(sizeOfShape(out), result), out);
};
