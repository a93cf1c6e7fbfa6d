import { Deferred, materialize, type Value } from '../deferred.js';
import { wrap, type NdHandle } from '../handle.js';

/**
 * A value a kernel may read through relu: when `v` is a deferred Relu (or a
 * deferred Reshape of one), its pre-activation (reshaped alike) and
 * `relu: true`, so the kernel applies relu while staging; otherwise the
 * value itself. The Relu is then never computed unless another reader forces it.
 *
 * @example
 * ```ts
 * import { readThroughRelu } from './relu-read.js';
 * import { wrap } from '../handle.js';
 * readThroughRelu(wrap(Float32Array.of(-1, 2), [2])).relu; // false: a plain value
 * ```
 */
export function readThroughRelu(v: Value): { readonly value: NdHandle; readonly relu: boolean } {
  if (v instanceof Deferred && v.node.op === 'Relu') return { value: materialize(v.inputs[0]), relu: true };
  if (v instanceof Deferred && v.node.op === 'Reshape') {
    const inner = v.inputs[0];
    if (inner instanceof Deferred && inner.node.op === 'Relu') return { value: wrap(materialize(inner.inputs[0]).data, v.node.shape), relu: true };
  }
  return { value: materialize(v), relu: false };
}

/**
 * The pre-activation behind a deferred Relu, else the value: for readers
 * that only need the sign of a Relu's output (step(relu(x)) is step(x)).
 *
 * @example
 * ```ts
 * import { beforeRelu } from './relu-read.js';
 * import { wrap } from '../handle.js';
 * beforeRelu(wrap(Float32Array.of(-1), [1])).data[0]; // -1
 * ```
 */
export function beforeRelu(v: Value): NdHandle {
  return v instanceof Deferred && v.node.op === 'Relu' ? materialize(v.inputs[0]) : materialize(v);
}
