import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape } from '../tensor.js';
import { launchTensor, unmask, type GpuKernel } from './context.js';

/**
 * y[n, o, j] = Σ_c Σ_t w[o, c, t] · x[n, c, j + t − pad], zero padded: SAS's
 * head-axis convolution (heads as channels, features as positions). Both
 * loops have their bounds baked in; out-of-range taps are skipped.
 *
 * @example
 * ```ts
 * // Runs for every Conv1d node of a graph on createGpujsBackend(); direct use:
 * const y = Conv1d([x, w], node, ctx);
 * ```
 */
export const Conv1d: GpuKernel<'Conv1d'> = (inputs, node, ctx) => {
  const [x, wt] = inputs.map((t) => unmask(ctx, t));
  const { pad } = node.attrs;
  const [, c, l] = x.shape;
  const k = wt.shape[2];
  const w = new KernelWriter('Conv1d');
  const rx = w.tensor({ ...x, scale: 1 });
  const rw = w.tensor({ ...wt, scale: 1 });
  const [n, o, j] = w.unravel(w.index(), node.shape);
  const xBase = w.let(rx.offset([n, '0.0', '0.0']), 'xb');
  const wBase = w.let(rw.offset([o, '0.0', '0.0']), 'wb');
  const sum = w.let('0.0', 'sum');
  const [xc, xl] = x.strides.slice(1);
  const [wc, wk] = wt.strides.slice(1);
  if (ctx.device.gl || ctx.device.async) {
    w.line(`for (let ic = 0; ic < ${c}; ic++) {`);
    w.line(`  for (let t = 0; t < ${k}; t++) {`);
    w.line(`    let pos = ${j} + t - ${lit(pad)};`);
    w.line(`    if (pos >= 0.0 && pos < ${lit(l)}) {`);
    w.line(`      ${sum} += ${rw.name}[${wBase} + ic * ${lit(wc)} + t * ${lit(wk)}] * ${rx.name}[${xBase} + ic * ${lit(xc)} + pos * ${lit(xl)}];`);
    w.line('    }');
    w.line('  }');
    w.line('}');
  } else {
    // On the CPU (cpu, webasm) step the offsets instead of recomputing them, as in MatMul.
    const start = w.let(`${j} - ${lit(pad)}`, 'start');
    const xi = w.let(`${xBase} + ${start} * ${lit(xl)}`, 'xi');
    w.line(`for (let ic = 0; ic < ${c}; ic++) {`);
    w.line(`  let pos = ${start}; let wt = ${wBase}; let xt = ${xi};`);
    w.line(`  for (let t = 0; t < ${k}; t++) {`);
    w.line(`    if (pos >= 0.0 && pos < ${lit(l)}) { ${sum} += ${rw.name}[wt] * ${rx.name}[xt]; }`);
    w.line(`    pos += 1.0; wt += ${lit(wk)}; xt += ${lit(xl)};`);
    w.line('  }');
    w.line(`  ${wBase} += ${lit(wc)}; ${xi} += ${lit(xc)};`);
    w.line('}');
  }
  const scale = x.scale * wt.scale;
  const result = scale === 1 ? sum : `${sum} * ${w.uniform(scale)}`;
  return launchTensor(ctx, w.finish(sizeOfShape(node.shape), result), node.shape);
};
