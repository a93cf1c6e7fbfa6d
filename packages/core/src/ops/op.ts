import { SasError } from '../errors.js';
import { fmtShape } from '../tensor.js';
import type { Attrs, TensorType } from '../ir/types.js';
import type { AttrSchema, AttrSpec, AttrsOf } from './attrs.js';
import type { NodeRef } from '../ir/builder.js';

/** A float64 tensor as the reference interpreter sees it. */
export interface RefTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/**
 * An op, declared once: its shape rule, its float64 meaning, its
 * vector-Jacobian product as graph nodes, and optionally a decomposition into
 * other ops for backends without a kernel of their own. `N` is the op's name
 * as a string literal type and `A` its attribute type, so the op table can
 * name every op (`OpName`) and type every node's attributes (`OpAttrs`).
 */
export interface OpDef<N extends string = string, A extends Attrs = Attrs> extends OpRules<N, A> {
  /** The attributes: their types (hence `A`), generic checks and canonical form, and their docs. */
  readonly attrs: AttrSchema;
}

/** What `defineOp` is given: an `OpDef` whose attribute schema is optional (none by default). */
export interface OpSpec<N extends string, S extends AttrSchema> extends OpRules<N, AttrsOf<S>> {
  readonly attrs?: S;
}

/** The parts of an op besides its attribute schema. */
interface OpRules<N extends string, A extends Attrs> {
  readonly name: N;
  /** Number of tensor inputs. */
  readonly arity: number;
  /** One paragraph for docs/ops.md. */
  readonly summary: string;
  /** The shape rule in one line for docs/ops.md, e.g. `x [N,C,L], w [O,C,k] → [N,O,L+2·pad−k+1]`. */
  readonly shapeRule: string;
  /** Throws `E_ATTR` when the attributes are malformed (beyond the types the schema checks). */
  checkAttrs?(attrs: A): void;
  /** Output shape, or a thrown `E_SHAPE` naming the op, the shapes and the broken rule. Attributes are canonical. */
  inferShape(inputs: readonly TensorType[], attrs: A): number[];
  /** The readable float64 definition: the oracle for every backend. Attributes are canonical. */
  evaluate(inputs: readonly RefTensor[], attrs: A, outShape: readonly number[]): Float64Array;
  /**
   * Input cotangents as new nodes (null where the input gets no gradient),
   * given the output cotangent `g`, the op's input nodes and its output node.
   */
  vjp?(g: NodeRef, inputs: readonly NodeRef[], output: NodeRef, attrs: A): (NodeRef | null)[];
  /** The op as a subgraph of other ops. */
  decompose?(inputs: readonly NodeRef[], attrs: A): NodeRef;
}

/** The attribute schema of an op without attributes. */
export type NoAttrs = Readonly<Record<never, AttrSpec>>;

/**
 * Declares an op: its name stays a string literal type and its attribute
 * type follows from `attrs`, so callbacks and kernels read typed attributes.
 *
 * @example
 * ```ts
 * import { defineOp } from './op.js';
 * const Twice = defineOp({
 *   name: 'Twice',
 *   arity: 1,
 *   summary: 'x · 2',
 *   shapeRule: 'x → shape of x',
 *   inferShape: ([x]) => [...x.shape],
 *   evaluate: ([x]) => x.data.map((v) => 2 * v),
 * });
 * Twice.name; // type 'Twice'
 * ```
 */
export function defineOp<const N extends string, const S extends AttrSchema = NoAttrs>(spec: OpSpec<N, S>): OpDef<N, AttrsOf<S>> {
  return { ...spec, attrs: spec.attrs ?? {} };
}

/** Throws the standard shape error: `Op: rule (inputs a [..], b [..])`. */
export function shapeError(op: string, rule: string, inputs: readonly TensorType[]): never {
  const names = 'abcdefgh';
  const listed = inputs.map((t, i) => `${names[i]} ${fmtShape(t.shape)}`).join(', ');
  throw new SasError('E_SHAPE', `${op}: ${rule} (inputs ${listed})`);
}

/** Throws the standard attribute error. */
export function attrError(op: string, message: string): never {
  throw new SasError('E_ATTR', `${op}: ${message}`);
}

/** Normalises a possibly negative axis against `rank`, or throws `E_ATTR` (canonicalisation uses it; see attrs.ts). */
export function normalizeAxis(op: string, axis: number, rank: number, shape?: readonly number[]): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    attrError(op, `axis ${axis} is out of range for rank ${rank}${shape ? ` (input ${fmtShape(shape)})` : ''}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Numpy broadcasting of two shapes, or a shape error naming `op`. */
export function broadcastShapes(op: string, a: TensorType, b: TensorType): number[] {
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a.shape[a.shape.length - rank + i] ?? 1;
    const db = b.shape[b.shape.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      shapeError(op, `shapes do not broadcast: axis ${i - rank} is ${da} vs ${db}`, [a, b]);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Checks that every input has the same dtype (graphs are single-dtype). */
export function sameDType(op: string, inputs: readonly TensorType[]): void {
  for (const t of inputs) {
    if (t.dtype !== inputs[0].dtype) {
      throw new SasError('E_DTYPE', `${op}: inputs mix ${inputs[0].dtype} and ${t.dtype}`);
    }
  }
}
