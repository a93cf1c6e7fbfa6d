import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SasError } from '@sas/core';

/** A tfjs initializer (tfjs-layers does not export the class itself). */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/** An initializer as a user gives it: an instance, tfjs's identifier ('glorotUniform', 'zeros', …) or its serialized form. */
export type InitializerSpec = Initializer | string | { readonly className: string; readonly config?: tf.serialization.ConfigDict };

/** tfjs's identifiers and the classes they name (as tfjs-layers' `getInitializer` reads them). */
const IDENTIFIERS: Readonly<Record<string, string>> = {
  glorotNormal: 'GlorotNormal',
  glorotUniform: 'GlorotUniform',
  heNormal: 'HeNormal',
  heUniform: 'HeUniform',
  leCunNormal: 'LeCunNormal',
  leCunUniform: 'LeCunUniform',
  ones: 'Ones',
  orthogonal: 'Orthogonal',
  randomNormal: 'RandomNormal',
  randomUniform: 'RandomUniform',
  truncatedNormal: 'TruncatedNormal',
  varianceScaling: 'VarianceScaling',
  zeros: 'Zeros',
};

const isInitializer = (v: unknown): v is Initializer =>
  typeof v === 'object' && v !== null && typeof (v as Initializer).apply === 'function' && typeof (v as Initializer).getClassName === 'function';

/**
 * Reads an initializer argument. tfjs-layers keeps its own parser private,
 * so the registered classes are looked up in tfjs's serialization map, which
 * is also what `tf.loadLayersModel` restores a saved `{className, config}` from.
 * Anything else is an `E_CONFIG` error naming the argument.
 *
 * @example
 * ```ts
 * toInitializer('heNormal', 'kernelInitializer').getConfig(); // { scale: 2, mode: 'fanIn', distribution: 'normal', seed: undefined }
 * ```
 */
export function toInitializer(spec: InitializerSpec, argument: string): Initializer {
  if (isInitializer(spec)) return spec;
  const { className, config } =
    typeof spec === 'string'
      ? { className: IDENTIFIERS[spec] ?? spec, config: {} }
      : typeof spec === 'object' && spec !== null && typeof spec.className === 'string'
        ? { className: spec.className, config: spec.config ?? {} }
        : { className: undefined, config: {} };
  const entry = className === undefined ? undefined : tf.serialization.SerializationMap.getMap().classNameMap[className];
  const made = entry ? entry[1](entry[0], config) : undefined;
  if (!isInitializer(made)) {
    throw new SasError(
      'E_CONFIG',
      `SASMultiHeadAttention: ${argument} must be a tfjs initializer, one of ${Object.keys(IDENTIFIERS).join(', ')}, or {className, config}, got ${JSON.stringify(spec)}`,
    );
  }
  return made;
}

/**
 * The `{className, config}` form of an initializer, for `getConfig` (tfjs
 * converts the keys to Keras's snake case when it writes the model JSON).
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * serializeInitializer(tfl.initializers.zeros()); // { className: 'Zeros', config: {} }
 * ```
 */
export function serializeInitializer(initializer: Initializer): tf.serialization.ConfigDict {
  return { className: initializer.getClassName(), config: initializer.getConfig() };
}
