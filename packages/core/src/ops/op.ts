import { SasError } from '../errors.js';
import { fmtShape } from '../tensor.js';
import type { Attrs, TensorType } from '../ir/types.js';
import type { NodeRef } from '../ir/builder.js';

/** A float64 tensor as the reference interpreter sees it. */
export interface RefTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/**
 * A primitive op, declared once: its shape rule, its float64 meaning, its
 * vector-Jacobian product as graph nodes, and optionally a decomposition into
 * other primitives for backends without a kernel of their own.
 */
export interface OpDef<A extends Attrs = Attrs> {
  readonly name: string;
  /** Number of tensor inputs. */
  readonly arity: number;
  /** One paragraph for docs/ops.md. */
  readonly summary: string;
  /** Throws `E_ATTR` when the attributes are malformed. */
  checkAttrs?(attrs: A): void;
  /** Output shape, or a thrown `E_SHAPE` naming the op, the shapes and the broken rule. */
  inferShape(inputs: readonly TensorType[], attrs: A): number[];
  /** The readable float64 definition: the oracle for every backend. */
  evaluate(inputs: readonly RefTensor[], attrs: A, outShape: readonly number[]): Float64Array;
  /**
   * Input cotangents as new nodes (null where the input gets no gradient),
   * given the output cotangent `g`, the op's input nodes and its output node.
   */
  vjp?(g: NodeRef, inputs: readonly NodeRef[], output: NodeRef, attrs: A): (NodeRef | null)[];
  /** The op as a subgraph of other primitives. */
  decompose?(inputs: readonly NodeRef[], attrs: A): NodeRef;
}

/** Declares an op with its attribute type; identity at run time, typed for authors. */
export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  return def;
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

/** Normalises a possibly negative axis against `rank`, or throws `E_ATTR`. */
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
