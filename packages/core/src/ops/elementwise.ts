import { SasError } from '../errors.js';
import type { NodeRef } from '../ir/builder.js';
import type { AttrsOf } from './attrs.js';
import { sizeOf } from '../tensor.js';
import { broadcastShapes, defineOp, type NoAttrs, type OpDef, type RefTensor } from './op.js';

/** A node, or a number that becomes a scalar constant of the other operand's graph. */
export type Operand = NodeRef | number;

/** Lifts numbers to scalar constants in the builder of whichever operand is a node. */
export function lift(a: Operand, b: Operand): [NodeRef, NodeRef] {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new SasError('E_GRAPH', `an elementwise op got two numbers (${a}, ${b}); at least one operand must be a graph node`);
  }
  const ref = typeof a === 'number' ? (b as NodeRef) : a;
  const toNode = (x: Operand) => (typeof x === 'number' ? ref.builder.constant(x) : x);
  return [toNode(a), toNode(b)];
}

/** Strides of `inShape` read at the positions of `outShape`, 0 along broadcast axes. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = inShape.length - 1; i >= 0; i--) {
    const axis = rank - inShape.length + i;
    strides[axis] = inShape[i] === 1 ? 0 : acc;
    acc *= inShape[i];
  }
  return strides;
}

/**
 * Calls `visit(outIndex, offsets)` for every element of `outShape`, where
 * `offsets[k]` is the flat index into the k-th broadcast input.
 */
export function forEachBroadcast(
  outShape: readonly number[],
  inShapes: readonly (readonly number[])[],
  visit: (outIndex: number, offsets: readonly number[]) => void,
): void {
  const rank = outShape.length;
  const strides = inShapes.map((s) => broadcastStrides(s, outShape));
  const counter = new Array<number>(rank).fill(0);
  const offsets = new Array<number>(inShapes.length).fill(0);
  const n = sizeOf(outShape);
  for (let i = 0; i < n; i++) {
    visit(i, offsets);
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][axis];
      if (counter[axis] < outShape[axis]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
}

/** Declares an elementwise unary op from its scalar function and VJP. */
export function defineUnary<const N extends string>(name: N, summary: string, fn: (x: number) => number, vjp: OpDef['vjp']): OpDef<N, AttrsOf<NoAttrs>> {
  return defineOp({
    name,
    arity: 1,
    summary,
    shapeRule: 'x → shape of x',
    inferShape: ([x]) => [...x.shape],
    evaluate: ([x]) => x.data.map(fn),
    vjp,
  });
}

/** Declares a broadcasting binary op from its scalar function and VJP. */
export function defineBinary<const N extends string>(
  name: N,
  summary: string,
  fn: (a: number, b: number) => number,
  vjp: OpDef['vjp'],
): OpDef<N, AttrsOf<NoAttrs>> {
  return defineOp({
    name,
    arity: 2,
    summary,
    shapeRule: 'a, b → broadcast(shape a, shape b) (numpy)',
    inferShape: ([a, b]) => broadcastShapes(name, a, b),
    evaluate: ([a, b], _attrs, outShape) => evaluateBinary(a, b, outShape, fn),
    vjp,
  });
}

function evaluateBinary(a: RefTensor, b: RefTensor, outShape: readonly number[], fn: (a: number, b: number) => number): Float64Array {
  const out = new Float64Array(sizeOf(outShape));
  const ad = a.data;
  const bd = b.data;
  forEachBroadcast(outShape, [a.shape, b.shape], (i, [ia, ib]) => {
    out[i] = fn(ad[ia], bd[ib]);
  });
  return out;
}
