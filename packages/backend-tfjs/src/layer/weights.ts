import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SasError, fmtShape, sameShape, type Tensor } from '@sas/core';

/** Tensors by name: a plain record or a Map (as `parseSafetensors(...).tensors`), host or tfjs tensors. */
export type WeightSource = Readonly<Record<string, Tensor | tf.Tensor>> | ReadonlyMap<string, Tensor | tf.Tensor>;

/** Options of `loadAuthorsWeights`. */
export interface AuthorsWeightsOptions {
  /** Prefix of the names in the source, e.g. 'blocks.0.attn.' for a whole-model checkpoint (default ''). */
  readonly prefix?: string;
}

function lookup(source: WeightSource, name: string): Tensor | tf.Tensor | undefined {
  return source instanceof Map ? source.get(name) : (source as Record<string, Tensor | tf.Tensor>)[name];
}

/**
 * Writes each variable from the source tensor of the same authors' name,
 * after checking all of them first, so a bad source changes nothing.
 *
 * @example
 * ```ts
 * writeAuthorsWeights(params, parseSafetensors(bytes).tensors, { prefix: '' });
 * ```
 */
export function writeAuthorsWeights(params: ReadonlyMap<string, tfl.LayerVariable>, source: WeightSource, options: AuthorsWeightsOptions): void {
  const prefix = options.prefix ?? '';
  const missing: string[] = [];
  const values: [tfl.LayerVariable, Tensor | tf.Tensor][] = [];
  for (const [name, variable] of params) {
    const t = lookup(source, prefix + name);
    if (!t) {
      missing.push(prefix + name);
      continue;
    }
    const shape = variable.shape as number[];
    if (!sameShape(t.shape, shape))
      throw new SasError('E_WEIGHTS', `SASAttention: weight '${prefix + name}' must be ${fmtShape(shape)} for this config, got ${fmtShape(t.shape)}`);
    values.push([variable, t]);
  }
  if (missing.length > 0) throw new SasError('E_WEIGHTS', `SASAttention: missing weight${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  for (const [variable, t] of values) {
    // tfjs takes Float32Array but not Float64Array (the fixtures' and many checkpoints' dtype).
    const value =
      t instanceof tf.Tensor ? tf.cast(t, 'float32') : tf.tensor(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data), [...t.shape], 'float32');
    variable.write(value);
    value.dispose();
  }
}

/**
 * The variables' current values as float32 host tensors under the authors' names.
 *
 * @example
 * ```ts
 * Object.keys(readAuthorsWeights(params)); // ['sas_q.0.weight', …, 'output_dense.bias']
 * ```
 */
export function readAuthorsWeights(params: ReadonlyMap<string, tfl.LayerVariable>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, variable] of params) {
    out[name] = { dtype: 'float32', shape: [...(variable.shape as number[])], data: Float32Array.from(variable.read().dataSync()) };
  }
  return out;
}
