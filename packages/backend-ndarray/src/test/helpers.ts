// Test helpers (not part of the build): single-op graphs checked against the
// float64 reference interpreter, the oracle for every kernel.
import { expect } from 'vitest';
import { evaluateReference, GraphBuilder, randomNormal, type Attrs, type DType, type Graph, type Tensor } from '@sas/core';
import { createNdarrayBackend, type NdarrayBackendOptions } from '../index.js';

/** A graph with inputs x0, x1, … of `shapes` and one output `y` = op(inputs). */
export function singleOpGraph(op: string, shapes: readonly (readonly number[])[], attrs: Attrs = {}, dtype: DType = 'float32'): Graph {
  const b = new GraphBuilder(dtype);
  const inputs = shapes.map((s, i) => b.input(`x${i}`, s));
  b.output('y', b.applyByName(op, inputs, attrs));
  return b.build();
}

/** Seeded normal feeds x0, x1, … for `graph`, optionally mapped (e.g. to positive values). */
export function feedsFor(shapes: readonly (readonly number[])[], seed: number, dtype: DType, map?: (v: number, i: number) => number): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  shapes.forEach((s, k) => {
    const t = randomNormal(s, seed * 31 + k, dtype);
    if (map) for (let i = 0; i < t.data.length; i++) t.data[i] = map(t.data[i], i);
    feeds[`x${k}`] = t;
  });
  return feeds;
}

/** Default per-dtype tolerance of a single kernel against the reference. */
export function kernelTolerance(dtype: DType): { atol: number; rtol: number } {
  return dtype === 'float32' ? { atol: 1e-5, rtol: 1e-5 } : { atol: 1e-12, rtol: 1e-12 };
}

/** Elementwise |a − e| ≤ atol + rtol·|e|, with NaN matching NaN and infinities matching exactly. */
export function expectClose(actual: Tensor, expected: Tensor, atol: number, rtol: number, what = 'tensor'): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  expect(actual.dtype, `${what} dtype`).toBe(expected.dtype);
  expect(actual.data.length, `${what} length`).toBe(expected.data.length);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e)) expect(a, `${what}[${i}]`).toBe(e);
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect(a, `${what}[${i}] (expected ${e} ± ${atol + rtol * Math.abs(e)})`).toBe(e);
  }
}

/**
 * Runs op(inputs) on the ndarray backend and on the reference and compares.
 * Returns the ndarray result for extra assertions.
 */
export async function checkOp(
  op: string,
  shapes: readonly (readonly number[])[],
  attrs: Attrs = {},
  options: { dtype?: DType; seed?: number; map?: (v: number, i: number) => number; atol?: number; rtol?: number; backend?: NdarrayBackendOptions } = {},
): Promise<Tensor> {
  const dtype = options.dtype ?? 'float32';
  const graph = singleOpGraph(op, shapes, attrs, dtype);
  const feeds = feedsFor(shapes, options.seed ?? 1, dtype, options.map);
  const tol = kernelTolerance(dtype);
  const [ours, ref] = await Promise.all([
    createNdarrayBackend(options.backend).run(graph, feeds, { nonFinite: 'allow' }),
    evaluateReference(graph, feeds, { nonFinite: 'allow' }),
  ]);
  expectClose(
    ours.y,
    ref.y,
    options.atol ?? tol.atol,
    options.rtol ?? tol.rtol,
    `${op} ${JSON.stringify(shapes)} ${JSON.stringify(attrs)} ${dtype} ${JSON.stringify(options.backend ?? {})}`,
  );
  return ours.y;
}

export const DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * The engine settings every gemm-using kernel is tested under: plain JS, and
 * the WebAssembly SIMD kernel forced on even for tiny products.
 */
export const ENGINES: readonly { readonly label: string; readonly backend: NdarrayBackendOptions }[] = [
  { label: 'js', backend: { simd: false } },
  { label: 'wasm-simd', backend: { simd: true, simdMinWork: 0 } },
];
