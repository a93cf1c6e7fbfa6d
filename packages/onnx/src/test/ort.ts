// Test helpers: run ONNX bytes in ONNX Runtime and compare with the reference.
import ort from 'onnxruntime-node';
import { evaluateReference, type Graph, type Tensor } from '@sas/core';

/** Runs a model's bytes in ONNX Runtime on host tensors (cast to `dtype`). */
export async function runOnnxBytes(bytes: Uint8Array, feeds: Record<string, Tensor>, dtype: 'float32' | 'float64'): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: dtype === 'float64' ? 'basic' : 'all' });
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = new ort.Tensor(dtype, dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data), [...t.shape]);
    }
    const out = await session.run(ortFeeds);
    return Object.fromEntries(
      Object.entries(out).map(([k, v]) => [
        k,
        { dtype, shape: [...v.dims], data: (dtype === 'float32' ? Float32Array : Float64Array).from(v.data as Float32Array) },
      ]),
    );
  } finally {
    await session.release();
  }
}

/** Largest violation of |a − e| ≤ atol + rtol·|e| (≤ 0 means within tolerance); NaN and ±Inf must match exactly. */
export function worstExcess(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = -Infinity;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - e) - (atol + rtol * Math.abs(e)));
  }
  return worst;
}

/** The reference's outputs, for comparison. */
export function reference(graph: Graph, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  return evaluateReference(graph, feeds, { nonFinite: 'allow' });
}
