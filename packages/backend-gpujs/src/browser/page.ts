/**
 * Browser entry of the gpu.js backend's page test: bundled for the browser,
 * loaded by a page served on localhost, and driven by playwright. It fetches
 * a fixture directory over HTTP (manifest.json + safetensors), runs each case
 * on the backend in the requested mode (webgl2 in CI) and returns per-tensor
 * errors. Only @sas/core and this package are bundled: no Node APIs.
 */
import { buildLayer, getTensor, grad, initParams, layerParams, parseSafetensors, randomNormal, validateConfig, withCotangentLoss, type LayerConfig, type Tensor, type Tolerance } from '@sas/core';
import { createGpujsBackend } from '../backend.js';
import { probeMode, runtimeModes } from '../env.js';
import { gpujsTolerance } from '../tolerance.js';

/** One compared tensor. */
export interface PageCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly maxAbs: number;
}

/** One fixture case's result in the page. */
export interface PageCase {
  readonly name: string;
  readonly passed: boolean;
  readonly checks: readonly PageCheck[];
  readonly error?: string;
}

/** What the page reports back. */
export interface PageReport {
  readonly mode: string;
  readonly modes: readonly string[];
  readonly tolerance: Tolerance;
  readonly cases: readonly PageCase[];
}

/** |a − e| ≤ atol + rtol·|e| everywhere; NaN or ∞ where e is finite fails. */
function check(name: string, actual: Tensor, expected: Tensor, atol: number, rtol: number): PageCheck {
  let maxAbs = 0;
  let passed = actual.data.length === expected.data.length;
  for (let i = 0; passed && i < expected.data.length; i++) {
    const d = Math.abs(actual.data[i] - expected.data[i]);
    if (!(d <= atol + rtol * Math.abs(expected.data[i]))) passed = false;
    maxAbs = Math.max(maxAbs, d);
  }
  return { name, passed, maxAbs };
}

/** The manifest's case fields as a layer configuration. */
function configOf(entry: Record<string, unknown>): LayerConfig {
  const { kind, batch, seqLen, heads, headDim, simHeads, simHeadDim, kernelSize, kvHeads, causal } = entry;
  const base = { kind, batch, seqLen, heads, headDim, causal };
  return validateConfig((kind === 'sas' ? { ...base, simHeads, simHeadDim, kernelSize } : { ...base, kvHeads }) as LayerConfig);
}

/**
 * Runs the fixture cases under `baseUrl` on the gpu.js backend in `mode`
 * (the best available when omitted), forward and traces, and with `grads`
 * the gradients too.
 *
 * @example
 * ```ts
 * const report = await runFixtures('/fixtures/', { mode: 'webgl2', grads: true });
 * report.cases.every((c) => c.passed);
 * ```
 */
export async function runFixtures(baseUrl: string, options: { mode?: string; grads?: boolean; cases?: readonly string[] } = {}): Promise<PageReport> {
  const manifest = (await (await fetch(new URL('manifest.json', new URL(baseUrl, location.href)))).json()) as { cases: Record<string, unknown>[] };
  const backend = await createGpujsBackend({ mode: options.mode });
  const tolerance = gpujsTolerance(backend.mode);
  const cases: PageCase[] = [];
  try {
    for (const entry of manifest.cases) {
      const name = entry.name as string;
      if (options.cases && !options.cases.includes(name)) continue;
      const checks: PageCheck[] = [];
      try {
        const bytes = new Uint8Array(await (await fetch(new URL(entry.file as string, new URL(baseUrl, location.href)))).arrayBuffer());
        const file = parseSafetensors(bytes, name);
        const config = configOf(entry);
        const layer = buildLayer(config, { dtype: 'float32' });
        const names = [...file.tensors.keys()];
        const feeds: Record<string, Tensor> = {};
        for (const input of ['query', 'key', 'value']) feeds[input] = getTensor(file, `input.${input}`);
        for (const p of layerParams(config)) feeds[p.name] = getTensor(file, p.name);
        const expected = names.filter((n) => n === 'output' || n.startsWith('trace.'));
        const out = await backend.run(layer, feeds, { outputs: expected });
        for (const n of expected) checks.push(check(n, out[n], getTensor(file, n), tolerance.atol, tolerance.rtol));
        if (options.grads && names.includes('cotangent')) {
          const wrt = ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)];
          const g = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt });
          const fixtureName = (n: string) => (['grad.query', 'grad.key', 'grad.value'].includes(n) ? n.replace('grad.', 'grad.input.') : n);
          const wanted = Object.keys(g.outputs).filter((n) => n.startsWith('grad.') && names.includes(fixtureName(n)));
          const grads = await backend.run(g, { ...feeds, cotangent: getTensor(file, 'cotangent') }, { outputs: wanted });
          for (const n of wanted) checks.push(check(fixtureName(n), grads[n], getTensor(file, fixtureName(n)), tolerance.gradAtol, tolerance.gradRtol));
        }
        cases.push({ name, passed: checks.length > 0 && checks.every((c) => c.passed), checks });
      } catch (e) {
        cases.push({ name, passed: false, checks, error: String((e as Error)?.message ?? e) });
      }
    }
  } finally {
    await backend.dispose();
  }
  return { mode: backend.mode, modes: runtimeModes(), tolerance, cases };
}

/**
 * Times the SAS forward pass at `shape` = [B, T, H, D, H', D'] in `mode`: one
 * warm-up run (compiles every kernel), then `runs` timed runs; returns the
 * median in milliseconds and the mode that ran.
 *
 * @example
 * ```ts
 * const { medianMs } = await timeForward([1, 64, 12, 64, 24, 128], { mode: 'webgl2', runs: 5 });
 * ```
 */
export async function timeForward(shape: readonly number[], options: { mode?: string; runs?: number } = {}): Promise<{ mode: string; medianMs: number; finite: boolean }> {
  const [batch, seqLen, heads, headDim, simHeads, simHeadDim] = shape;
  const config = validateConfig({ kind: 'sas', batch, seqLen, heads, headDim, simHeads, simHeadDim, kernelSize: 3, causal: true });
  const backend = await createGpujsBackend({ mode: options.mode });
  try {
    const layer = buildLayer(config, { dtype: 'float32' });
    const x = randomNormal([batch, seqLen, heads, headDim], 1, 'float32');
    const feeds = { query: x, key: x, value: x, ...initParams(config, 2, 'float32') };
    let out = await backend.run(layer, feeds, { outputs: ['output'] });
    const times: number[] = [];
    for (let i = 0; i < (options.runs ?? 5); i++) {
      const t0 = performance.now();
      out = await backend.run(layer, feeds, { outputs: ['output'] });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { mode: backend.mode, medianMs: times[times.length >> 1], finite: out.output.data.every(Number.isFinite) };
  } finally {
    await backend.dispose();
  }
}

/** What the page exposes to the driver. */
const api = { runFixtures, timeForward, probeMode, runtimeModes };
(globalThis as { sasGpujs?: typeof api }).sasGpujs = api;
export default api;
