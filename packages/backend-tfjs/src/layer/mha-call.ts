import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SasError } from '@sas/core';

type AnyTensor = tf.Tensor | tfl.SymbolicTensor;

/** The options of one call (Keras's call arguments that are not tensors). */
export interface MhaCallOptions {
  /** Mask keys after each query (query i sees keys 0 … i). */
  readonly useCausalMask: boolean;
  /** Return `[output, scores]`, scores the attention probabilities [B, H', Tq, Tk]. */
  readonly returnAttentionScores: boolean;
}

/** Call arguments, Keras's names. Tensors may be tfjs tensors (eager) or symbolic tensors (functional model). */
export interface SASMultiHeadAttentionCallArgs {
  /** [B, Tk, Ev]; default: the query (self-attention). */
  readonly value?: AnyTensor;
  /** [B, Tk, Ek]; default: the value. */
  readonly key?: AnyTensor;
  /** Which query may attend to which key: [B, Tq, Tk], [1, Tq, Tk] or [Tq, Tk], boolean or 0/1. */
  readonly attentionMask?: AnyTensor;
  /** Keras masks given explicitly ([B, Tq] / [B, Tk]), eager calls only. */
  readonly queryMask?: tf.Tensor;
  readonly valueMask?: tf.Tensor;
  readonly keyMask?: tf.Tensor;
  readonly useCausalMask?: boolean;
  readonly returnAttentionScores?: boolean;
  /** Dropout runs only when true (tfjs's models set it in `fit`). */
  readonly training?: boolean;
  /** tfjs's own mask channel (set by its model executor): the query's Keras mask, or one per input. */
  readonly mask?: tf.Tensor | (tf.Tensor | null | undefined)[] | null;
}

/** What `apply` hands on to tfjs: inputs by position, and the keyword arguments. */
export interface NormalizedCall {
  /** [query] (self-attention), [query, value], [query, value, key] or [query, value, key, attentionMask]. */
  readonly inputs: AnyTensor[];
  /** The keyword arguments for `call`; for a symbolic call only the JSON-safe options, which tfjs saves with the model. */
  readonly kwargs: Record<string, unknown>;
  readonly symbolic: boolean;
  /** The options the caller gave (absent ones are left to the layer). */
  readonly options: Partial<MhaCallOptions>;
}

const CALL_ARGS = ['value', 'key', 'attentionMask', 'queryMask', 'valueMask', 'keyMask', 'useCausalMask', 'returnAttentionScores', 'training', 'mask'];
const POSITIONS = ['query', 'value', 'key', 'attentionMask'] as const;

const fail = (code: 'E_INPUT' | 'E_SHAPE', message: string): never => {
  throw new SasError(code, `SASMultiHeadAttention: ${message}`);
};

const isSymbolic = (t: unknown): t is tfl.SymbolicTensor => t instanceof tfl.SymbolicTensor;
const isTensorLike = (t: unknown): t is AnyTensor => t instanceof tf.Tensor || isSymbolic(t);

/**
 * Reads the arguments of `layer.apply` the Keras way: `apply(query, {value,
 * key, attentionMask, …})`, or tfjs's list form `apply([query, value, key?,
 * attentionMask?])`, or `apply(x)` for self-attention (as `tf.sequential`
 * calls it). Returns the inputs by position so that tfjs's functional models
 * track every tensor: a missing key becomes the value, a missing value the
 * query, when a later position is given. An unknown argument, a tensor given
 * twice, or a key without a value is an `E_INPUT` error.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const x = tf.zeros([1, 4, 8]);
 * normalizeCall(x, { useCausalMask: true }).inputs.length; // 1
 * ```
 */
export function normalizeCall(inputs: AnyTensor | AnyTensor[], kwargs: Record<string, unknown> = {}): NormalizedCall {
  for (const key of Object.keys(kwargs)) {
    if (!CALL_ARGS.includes(key) && kwargs[key] !== undefined) fail('E_INPUT', `unknown call argument '${key}' (expected one of ${CALL_ARGS.join(', ')})`);
  }
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length < 1 || list.length > 4) fail('E_INPUT', `expected 1 to 4 inputs [query, value, key, attentionMask], got ${list.length}`);
  const byName: Partial<Record<(typeof POSITIONS)[number], AnyTensor>> = {};
  list.forEach((t, i) => {
    if (!isTensorLike(t)) fail('E_INPUT', `${POSITIONS[i]} must be a tensor, got ${String(t)}`);
    byName[POSITIONS[i]] = t;
  });
  for (const name of ['value', 'key', 'attentionMask'] as const) {
    const t = kwargs[name];
    if (t === undefined || t === null) continue;
    if (!isTensorLike(t)) fail('E_INPUT', `${name} must be a tensor, got ${String(t)}`);
    if (byName[name]) fail('E_INPUT', `${name} given twice (in the inputs list and as a call argument)`);
    byName[name] = t as AnyTensor;
  }
  const symbolic = isSymbolic(byName.query);
  for (const [name, t] of Object.entries(byName)) {
    if (isSymbolic(t) !== symbolic)
      fail('E_INPUT', `${name} is ${isSymbolic(t) ? 'symbolic' : 'a concrete tensor'} but the query is not: pass all symbolic or all concrete tensors`);
  }
  if (byName.key && !byName.value) fail('E_INPUT', 'key given without value (Keras: value is required, key defaults to it)');
  const options: { -readonly [K in keyof MhaCallOptions]?: boolean } = {};
  for (const name of ['useCausalMask', 'returnAttentionScores'] as const) {
    const v = kwargs[name];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') fail('E_INPUT', `${name} must be a boolean, got ${String(v)}`);
    options[name] = v as boolean;
  }
  for (const name of ['queryMask', 'valueMask', 'keyMask'] as const) {
    const m = kwargs[name];
    if (m === undefined || m === null) continue;
    if (symbolic || !(m instanceof tf.Tensor)) {
      fail('E_INPUT', `${name} must be a concrete tensor in an eager call; in a model, masks come from maskZero/Masking layers, or pass attentionMask`);
    }
  }
  const positional: AnyTensor[] = [byName.query!];
  if (byName.attentionMask) positional.push(byName.value ?? byName.query!, byName.key ?? byName.value ?? byName.query!, byName.attentionMask);
  else if (byName.key) positional.push(byName.value!, byName.key);
  else if (byName.value) positional.push(byName.value);
  const { value: _v, key: _k, attentionMask: _a, ...rest } = kwargs;
  return { inputs: positional, kwargs: symbolic ? { ...options } : { ...rest, ...options }, symbolic, options };
}

/** The tensors of one call by role, from the positional inputs `call` receives. */
export interface CallTensors {
  readonly query: tf.Tensor;
  readonly value: tf.Tensor;
  readonly key: tf.Tensor;
  readonly attentionMask: tf.Tensor | undefined;
}

/**
 * Splits `call`'s inputs by position (see `normalizeCall`); value defaults to
 * the query and key to the value.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const x = tf.zeros([1, 4, 8]);
 * callTensors([x]).key === x; // true
 * ```
 */
export function callTensors(inputs: tf.Tensor | tf.Tensor[]): CallTensors {
  const list = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length < 1 || list.length > 4) fail('E_INPUT', `expected 1 to 4 inputs [query, value, key, attentionMask], got ${list.length}`);
  const [query, value = query, key = value, attentionMask] = list;
  return { query, value, key, attentionMask };
}

/**
 * Checks the projected inputs' shapes: query [B, Tq, Eq], value [B, Tk, Ev],
 * key [B, Tk, Ek], one B, one Tk for key and value, and the feature sizes the
 * layer was built with (null: not built yet). Unknown (null) sizes pass.
 * Returns [B, Tq, Tk].
 *
 * @example
 * ```ts
 * checkCallShapes({ query: [null, 5, 8], value: [null, 7, 6], key: [null, 7, 6] }, null); // [null, 5, 7]
 * ```
 */
export function checkCallShapes(
  shapes: { readonly query: readonly (number | null)[]; readonly value: readonly (number | null)[]; readonly key: readonly (number | null)[] },
  built: { readonly query: number; readonly value: number; readonly key: number } | null,
): [number | null, number | null, number | null] {
  const text = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? '?').join(',')}]`;
  for (const name of ['query', 'value', 'key'] as const) {
    const s = shapes[name];
    if (s.length !== 3) fail('E_SHAPE', `${name} must be [batch, length, features], got ${text(s)}`);
    if (built && s[2] !== null && s[2] !== built[name]) {
      fail('E_SHAPE', `${name} must have ${built[name]} features (the layer was built for [B, T, ${built[name]}]), got ${text(s)}`);
    }
  }
  const same = (a: number | null, b: number | null) => a === null || b === null || a === b;
  if (!same(shapes.query[0], shapes.value[0]) || !same(shapes.query[0], shapes.key[0])) {
    fail('E_SHAPE', `query, value and key must share the batch size, got ${text(shapes.query)}, ${text(shapes.value)}, ${text(shapes.key)}`);
  }
  if (!same(shapes.value[1], shapes.key[1])) fail('E_SHAPE', `value and key must share the length, got ${text(shapes.value)} and ${text(shapes.key)}`);
  return [shapes.query[0] ?? shapes.value[0], shapes.query[1], shapes.value[1] ?? shapes.key[1]];
}
