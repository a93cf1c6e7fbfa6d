import { KernelWriter, lit } from '../codegen.js';
import { sizeOfShape, type GpuTensor } from '../tensor.js';
import { launchTensor, type DeviceContext, type GpuKernel } from './context.js';
import { flatAt, idInRange, rowMajorOperand } from './rows.js';

/**
 * Mean cross-entropy over the counted positions (target ≠ ignoreIndex) in two
 * kernels: one thread per row writes its term, then one thread sums the terms
 * and divides by the count.
 *
 * A row's term is taken relative to its max m, `log Σ exp(x − m) − (x[t] − m)`:
 * both parts are small, so logits around 10⁵ lose nothing (a log-sum-exp
 * minus the target's logit would subtract two numbers of 10⁵, float32 ulp
 * 0.008). A target that is not an integer in [0, V) picks nothing (its term
 * is the log-sum-exp, as in core's decomposition) and is never used as an
 * address; an ignored row's term is 0 whatever its logits hold. No counted
 * position gives NaN (0/0, which GLSL leaves undefined, so NaN travels as a
 * uniform).
 *
 * @example
 * ```ts
 * // Runs for every CrossEntropy node of a graph on createGpujsBackend(); direct use:
 * const loss = CrossEntropy([logits, targets], node, ctx);
 * ```
 */
export const CrossEntropy: GpuKernel<'CrossEntropy'> = (inputs, node, ctx) => {
  const v = inputs[0].shape[inputs[0].shape.length - 1];
  const n = sizeOfShape(inputs[1].shape);
  const { ignoreIndex } = node.attrs;
  const targets = rowMajorOperand(ctx, inputs[1]);
  const logits = rowMajorOperand(ctx, inputs[0]);
  const terms = rowTerms(ctx, logits.t, targets.t, n, v, ignoreIndex);
  try {
    const w = new KernelWriter('CrossEntropy');
    const rt = w.tensor(targets.t);
    const rr = w.tensor(terms);
    const total = w.let('0.0', 'total');
    const count = w.let('0.0', 'count');
    w.line(`for (let k = 0; k < ${n}; k++) {`);
    w.line(`  ${total} += ${rr.atOffset('k')};`);
    w.line(`  if (${flatAt(rt, targets.t, 'k')} !== ${lit(ignoreIndex)}) { ${count} += 1.0; }`);
    w.line('}');
    return launchTensor(ctx, w.finish(1, `(${count} > 0.0 ? ${total} / ${count} : ${w.uniform(Number.NaN)})`), node.shape);
  } finally {
    ctx.device.release(terms.storage);
    logits.release();
    targets.release();
  }
};

/** [n]: each row's term, 0 where the target is the ignore index. */
function rowTerms(ctx: DeviceContext, logits: GpuTensor, targets: GpuTensor, n: number, v: number, ignoreIndex: number): GpuTensor {
  const w = new KernelWriter('CrossEntropy');
  const rt = w.tensor(targets);
  const row = w.index();
  const target = w.let(flatAt(rt, targets, row), 'target');
  if (v === 0) {
    // No logits: the log-sum-exp of nothing is −∞ (as the decomposition's max and log of an empty sum give).
    return launchTensor(ctx, w.finish(n, `(${target} === ${lit(ignoreIndex)} ? 0.0 : ${w.uniform(Number.NEGATIVE_INFINITY)})`), [n]);
  }
  const rl = w.tensor(logits);
  const base = w.let(`${row} * ${lit(v)}`, 'base');
  const at = (j: string) => flatAt(rl, logits, `${base} + ${j}`);
  const max = w.let(at('0.0'), 'max');
  w.line(`for (let j = 1; j < ${v}; j++) { ${max} = Math.max(${max}, ${at('j')}); }`);
  const sum = w.let('0.0', 'sum');
  w.line(`for (let j = 0; j < ${v}; j++) { ${sum} += Math.exp(${at('j')} - ${max}); }`);
  const ok = w.let(`${idInRange(target, v)} ? 1.0 : 0.0`, 'ok');
  const column = w.let(`${ok} > 0.5 ? ${target} : 0.0`, 'column');
  // x[t] − m; a target matching no column picks 0, which relative to m is −m.
  const picked = w.let(`${ok} > 0.5 ? ${at(column)} - ${max} : -${max}`, 'picked');
  const term = `Math.log(${sum}) - ${picked}`;
  return launchTensor(ctx, w.finish(n, `(${target} === ${lit(ignoreIndex)} ? 0.0 : ${term})`), [n]);
}
