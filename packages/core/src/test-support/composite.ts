// Test helpers (excluded from the build) for composite ops: their own
// `evaluate` called directly, next to the reference backend, which runs
// composites through their decompositions.
import { expect } from 'vitest';
import { evaluateReference, getOp, GraphBuilder, type NodeRef, type Tensor } from '@sas/core';

/** The op's own `evaluate` (its readable definition), called directly on float64 copies of `inputs`. */
export function evaluateDirect(op: string, inputs: readonly Tensor[], attrs: Record<string, unknown>): { shape: number[]; data: Float64Array } {
  const def = getOp(op);
  const refs = inputs.map((t) => ({ shape: t.shape, data: Float64Array.from(t.data) }));
  const shape = def.inferShape(
    inputs.map((t) => ({ shape: t.shape, dtype: 'float64' as const })),
    attrs as never,
  );
  return { shape, data: def.evaluate(refs, attrs as never, shape) };
}

/** Builds `f` over float64 inputs named after `feeds` and runs it on the reference (composites decomposed). */
export async function runDecomposed(feeds: Record<string, Tensor>, f: (x: Record<string, NodeRef>) => NodeRef): Promise<Tensor> {
  const b = new GraphBuilder('float64');
  const refs = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, b.input(n, t.shape)]));
  b.output('y', f(refs));
  return (await evaluateReference(b.build(), feeds, { nonFinite: 'allow' })).y;
}

/** Elementwise |a − b| ≤ tol·max(1, |b|). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `element ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i])));
  }
}

/** Uniform values in [lo, hi) from a seeded generator. */
export function uniform(shape: number[], rand: () => number, lo = -1, hi = 1): Tensor {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * rand();
  return { dtype: 'float64', shape, data };
}

/** Integer ids in [0, n) as a float64 tensor. */
export function randomIds(shape: number[], n: number, rand: () => number): Tensor {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * n);
  return { dtype: 'float64', shape, data };
}
