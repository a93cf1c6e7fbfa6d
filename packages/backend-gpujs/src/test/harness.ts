import { evaluateReference, seededRandom, type Graph, type Tensor } from '@sas/core';
import { createGpujsBackend, type GpujsBackend } from '../backend.js';
import { probeMode } from '../env.js';

/** The Node modes under test, each with whether it can run here and why not. */
export const TEST_MODES = ['cpu', 'webasm', 'headlessgl'] as const;

/**
 * Resolves whether `mode` runs in this process, and the reason when it does not (e.g. no DISPLAY).
 *
 * @example
 * ```ts
 * await modeSkipReason('headlessgl'); // null under xvfb-run, else the reason
 * ```
 */
export async function modeSkipReason(mode: string): Promise<string | null> {
  const probe = await probeMode(mode);
  return probe.available ? null : (probe.reason ?? 'unavailable');
}

/**
 * Seeded float32 tensor: normal-ish values, or positive ones (for Log/Sqrt/Div denominators).
 *
 * @example
 * ```ts
 * randomTensor([2, 3], 7, 'positive').data.every((v) => v > 0); // true
 * ```
 */
export function randomTensor(shape: readonly number[], seed: number, kind: 'normal' | 'positive' | 'small-ints' = 'normal'): Tensor {
  const rand = seededRandom(seed);
  const n = shape.reduce((a, d) => a * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rand();
    data[i] = kind === 'positive' ? 0.25 + 2 * u : kind === 'small-ints' ? Math.floor(u * 3) : (u - 0.5) * 4;
  }
  return { dtype: 'float32', shape: [...shape], data };
}

/**
 * Largest |a − e| − (atol + rtol·|e|) over the elements (≤ 0 means every element passes); NaN/∞ must match exactly.
 *
 * @example
 * ```ts
 * worstExcess(tensor([1.0001], [1]), tensor([1], [1]), 1e-3, 0) <= 0; // true
 * ```
 */
export function worstExcess(actual: Tensor, expected: Tensor, atol: number, rtol: number): number {
  if (actual.data.length !== expected.data.length) return Infinity;
  let worst = -Infinity;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!Number.isFinite(e) || !Number.isFinite(a)) {
      if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - e) - (atol + rtol * Math.abs(e)));
  }
  return worst === -Infinity ? 0 : worst;
}

/**
 * Runs `graph` on `backend` and on the float64 reference; returns the worst excess over the tolerance per output.
 *
 * @example
 * ```ts
 * const { y } = await compareWithReference(backend, graph, feeds, 1e-4, 1e-4); // y <= 0 passes
 * ```
 */
export async function compareWithReference(
  backend: GpujsBackend,
  graph: Graph,
  feeds: Record<string, Tensor>,
  atol: number,
  rtol: number,
): Promise<Record<string, number>> {
  const [got, want] = await Promise.all([backend.run(graph, feeds), evaluateReference(graph, feeds)]);
  const out: Record<string, number> = {};
  for (const name of Object.keys(graph.outputs)) {
    if (JSON.stringify(got[name].shape) !== JSON.stringify(want[name].shape)) out[name] = Infinity;
    else out[name] = worstExcess(got[name], want[name], atol, rtol);
  }
  return out;
}

export { createGpujsBackend };
