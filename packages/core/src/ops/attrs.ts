import type { Attrs, AttrValue, TensorType } from '../ir/types.js';
import { attrError, normalizeAxis } from './op.js';

/**
 * How one attribute of an op is typed, checked and canonicalised. The op's
 * attribute type follows from its specs (`AttrsOf`), so kernels read
 * `node.attrs.pad` as a number without a cast; docs/ops.md lists them.
 *
 * - `int`, `number`, `boolean`: a scalar of that kind.
 * - `ints`: a list of integers (a shape, a permutation).
 * - `axis`: one axis of the first input; negative counts from the end on the
 *   way in, and the stored (canonical) value is in `0..rank−1`.
 * - `axes`: distinct axes of the first input; stored sorted, in `0..rank−1`.
 * - `enum`: one of `values`.
 */
export type AttrSpec =
  | { readonly type: 'int' | 'number' | 'boolean' | 'ints' | 'axis' | 'axes'; readonly doc: string }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly doc: string };

/** An op's attributes by name. */
export type AttrSchema = Readonly<Record<string, AttrSpec>>;

/** The value type an attribute spec describes. */
export type AttrValueOf<S extends AttrSpec> = S extends { readonly type: 'enum'; readonly values: readonly (infer V)[] }
  ? V
  : S extends { readonly type: 'boolean' }
    ? boolean
    : S extends { readonly type: 'ints' | 'axes' }
      ? readonly number[]
      : number;

/**
 * The attribute object a schema describes.
 *
 * @example
 * ```ts
 * import type { AttrsOf } from '@sas/core';
 * type PadAttrs = AttrsOf<{ pad: { type: 'int'; doc: 'zeros on both sides' } }>; // { readonly pad: number }
 * ```
 */
export type AttrsOf<S extends AttrSchema> = { readonly [K in keyof S]: AttrValueOf<S[K]> };

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isIntList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isInt);

/** What a value of each spec type must be, for the error message. */
function expected(spec: AttrSpec): string {
  switch (spec.type) {
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'ints':
      return 'an array of integers';
    case 'axis':
      return 'an integer axis';
    case 'axes':
      return 'an array of integer axes';
    case 'enum':
      return `one of ${spec.values.map((v) => `'${v}'`).join(', ')}`;
  }
}

function hasType(spec: AttrSpec, v: unknown): boolean {
  switch (spec.type) {
    case 'int':
    case 'axis':
      return isInt(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'ints':
    case 'axes':
      return isIntList(v);
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v);
  }
}

/**
 * Throws `E_ATTR` naming the op and the attribute unless every attribute the
 * schema lists is present with the right type (the op's own `checkAttrs`
 * adds its finer rules; attributes the schema does not list are left alone).
 *
 * @example
 * ```ts
 * import { checkAttrTypes } from './attrs.js';
 * checkAttrTypes('Conv1d', { pad: { type: 'int', doc: '' } }, { pad: 1 }); // ok
 * ```
 */
export function checkAttrTypes(op: string, schema: AttrSchema, attrs: Attrs): void {
  for (const [name, spec] of Object.entries(schema)) {
    const v = Object.hasOwn(attrs, name) ? attrs[name] : undefined;
    if (!hasType(spec, v)) attrError(op, `${name} must be ${expected(spec)}, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
}

/** Sorted, normalised, de-duplicated axes, or an attribute error naming `op`. */
export function canonicalAxes(op: string, axes: readonly number[], rank: number, shape?: readonly number[]): number[] {
  if (!Array.isArray(axes)) attrError(op, 'axes must be an array');
  const norm = axes.map((a) => normalizeAxis(op, a, rank, shape));
  if (new Set(norm).size !== norm.length) attrError(op, `axes ${JSON.stringify(axes)} repeat an axis`);
  return norm.sort((a, b) => a - b);
}

/**
 * The attributes in canonical form for these inputs: `axis` in `0..rank−1`,
 * `axes` normalised and sorted (rank of the first input). The one place
 * axes are normalised, so no backend or exporter ever does it again.
 * Returns `attrs` itself when it is already canonical.
 *
 * @example
 * ```ts
 * import { canonicalAttrs } from './attrs.js';
 * const x = { shape: [2, 3], dtype: 'float32' as const };
 * canonicalAttrs('Flip', { axis: { type: 'axis', doc: '' } }, { axis: -1 }, [x]); // { axis: 1 }
 * ```
 */
export function canonicalAttrs<A extends Attrs>(op: string, schema: AttrSchema, attrs: A, inputs: readonly TensorType[]): A {
  let out: Record<string, AttrValue> | undefined;
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.type !== 'axis' && spec.type !== 'axes') continue;
    const shape = inputs[0].shape;
    const v = attrs[name];
    const canon = spec.type === 'axis' ? normalizeAxis(op, v as number, shape.length, shape) : canonicalAxes(op, v as readonly number[], shape.length, shape);
    const same = Array.isArray(canon) ? canon.every((a, i) => a === (v as readonly number[])[i]) : canon === v;
    if (!same) {
      out ??= { ...attrs };
      out[name] = canon;
    }
  }
  return (out ?? attrs) as A;
}
