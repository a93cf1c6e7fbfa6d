/**
 * Browser entry of the tfjs backend's page test: bundled by vite, loaded by a
 * page served on localhost and driven by playwright. It fetches the fixture
 * directory over HTTP (manifest.json + safetensors), runs each case on the
 * tfjs backend in the requested mode (webgl in CI), forward and with
 * gradients, and returns per-tensor errors and tfjs's tensor counts. Only
 * @sas/core, tfjs and this package are bundled: no Node APIs run here.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  buildLayer,
  createReferenceBackend,
  evaluateReference,
  initParams,
  randomNormal,
  SasError,
  validateConfig,
  type Backend,
  type Tolerance,
} from '@sas/core';
import { createTfjsBackend } from '../backend.js';
import { availableModes } from '../env.js';
import { activateTfjsMode } from '../modes.js';
import { tfjsProvider } from '../provider.js';
import { mismatches } from '../test-support/compare.js';
import { edgeCases, opCases } from '../test-support/op-cases.js';
import {
  compareTensors,
  formatModelOpCase,
  modelOpCases,
  runConformanceOverHttp,
  runModelConformanceOverHttp,
  runModelOpCase,
  trainTinyModel,
  type ModelCaseReport,
  type TensorComparison,
} from '@sas/conformance/portable';
import { TFJS_MODEL_TOLERANCE } from '../tolerance.js';

/** One fixture case's result in the page. */
export interface PageCase {
  readonly name: string;
  readonly passed: boolean;
  readonly checks: readonly TensorComparison[];
  /** tfjs's live tensor count before the case, after its forward run, after its gradient run. */
  readonly numTensors: { readonly before: number; readonly afterForward: number; readonly afterGrads?: number };
  readonly error?: string;
}

/** What the page reports back. */
export interface PageReport {
  readonly mode: string;
  /** `tf.getBackend()` after the last case: must still be the mode asked for. */
  readonly activeBackend: string;
  readonly modes: readonly string[];
  readonly tolerance: Tolerance;
  /** tfjs flags that decide GPU precision (webgl: version, float32 textures). */
  readonly flags: Readonly<Record<string, unknown>>;
  readonly cases: readonly PageCase[];
  /** Graph values the backend held after all cases (0 when everything was released). */
  readonly liveHandles: number;
}

/** Whether a tfjs mode starts in this page, and why not. */
export interface ModeProbe {
  readonly mode: string;
  readonly available: boolean;
  readonly reason?: string;
  /** For webgpu: what `navigator.gpu.requestAdapter()` gave, before tfjs is asked. */
  readonly adapter?: string;
  /** tfjs's active backend after the attempt (a failed start must not switch it silently). */
  readonly activeBackend?: string;
}

/** The tfjs flags that decide how precise a GPU mode is. */
function precisionFlags(mode: string): Record<string, unknown> {
  if (mode !== 'webgl') return {};
  const flags: Record<string, unknown> = {};
  for (const f of ['WEBGL_VERSION', 'WEBGL_RENDER_FLOAT32_ENABLED', 'WEBGL_RENDER_FLOAT32_CAPABLE', 'WEBGL_PACK', 'WEBGL_USE_SHAPES_UNIFORMS'])
    flags[f] = tf.env().get(f);
  return flags;
}

/**
 * Runs the fixture cases under `baseUrl` on the tfjs backend in `mode`
 * (forward: output and traces; with `grads` the gradients of Σ output·cotangent
 * through core's `grad`), at the provider's tolerance for that mode, and
 * counts tfjs's live tensors around every run.
 *
 * @example
 * ```ts
 * const report = await runFixtures('/fixtures/', { mode: 'webgl', grads: true });
 * report.cases.every((c) => c.passed);
 * ```
 */
export async function runFixtures(baseUrl: string, options: { mode: string; grads?: boolean; cases?: readonly string[] }): Promise<PageReport> {
  const backend = await createTfjsBackend({ mode: options.mode });
  const tolerance = tfjsProvider.tolerance(backend.mode);
  // Counts tfjs's live tensors after each run: the suite runs a case's forward graph, then its gradient graph.
  let afterRuns: number[] = [];
  const counting: Backend = {
    ...backend,
    run: async (...args) => {
      try {
        return await backend.run(...args);
      } finally {
        afterRuns.push(tf.memory().numTensors);
      }
    },
  };
  const manifest = (await (await fetch(new URL('manifest.json', new URL(baseUrl, location.href)))).json()) as { cases: { name: string }[] };
  const cases: PageCase[] = [];
  try {
    for (const { name } of manifest.cases) {
      if (options.cases && !options.cases.includes(name)) continue;
      const before = tf.memory().numTensors;
      afterRuns = [];
      const [report] = (await runConformanceOverHttp(counting, baseUrl, { tolerance, grads: options.grads, cases: [name] })).cases;
      cases.push({ ...report, numTensors: { before, afterForward: afterRuns[0] ?? before, afterGrads: afterRuns[1] } });
    }
  } finally {
    await backend.dispose();
  }
  return {
    mode: backend.mode,
    activeBackend: tf.getBackend(),
    modes: availableModes(),
    tolerance,
    flags: precisionFlags(backend.mode),
    cases,
    liveHandles: backend.liveHandles(),
  };
}

/** One op case's result: the first mismatching elements against the float64 reference, and any leak. */
export interface OpCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly maxAbs: number;
  readonly mismatches: readonly { index: number; actual: number; expected: number }[];
  readonly leaked: number;
  readonly error?: string;
}

/**
 * Runs the Node kernel tests' op cases (every op, broadcasting, MatMul
 * transposes and batches, Conv1d pads, reductions, masks) and the NaN/±Inf
 * edge cases on the tfjs backend in `mode`, against `evaluateReference` at
 * `atol`/`rtol`; also counts tfjs tensors left behind by each run.
 *
 * @example
 * ```ts
 * const results = await runOpCases({ mode: 'webgl', atol: 1e-5, rtol: 1e-5 });
 * results.filter((r) => !r.passed);
 * ```
 */
export async function runOpCases(options: { mode: string; atol: number; rtol: number }): Promise<OpCaseResult[]> {
  const backend = await createTfjsBackend({ mode: options.mode });
  const results: OpCaseResult[] = [];
  try {
    const cases = [
      ...opCases().map((c) => ({ ...c, nonFinite: undefined })),
      ...edgeCases().map((c) => ({ ...c, name: `${c.name} (NaN/±Inf)`, nonFinite: 'allow' as const })),
    ];
    for (const c of cases) {
      const before = tf.memory().numTensors;
      try {
        const actual = await backend.run(c.graph, c.feeds, { nonFinite: c.nonFinite });
        const leaked = tf.memory().numTensors - before;
        const expected = await evaluateReference(c.graph, c.feeds, { nonFinite: c.nonFinite });
        const bad = mismatches(actual.y, expected.y, options.atol, options.rtol);
        const check = compareTensors('y', actual.y, expected.y, options.atol, options.rtol);
        results.push({ name: c.name, passed: bad.length === 0 && leaked === 0, maxAbs: check.maxAbs, mismatches: bad.slice(0, 3), leaked });
      } catch (e) {
        results.push({
          name: c.name,
          passed: false,
          maxAbs: NaN,
          mismatches: [],
          leaked: tf.memory().numTensors - before,
          error: String((e as Error)?.message ?? e),
        });
      }
    }
  } finally {
    await backend.dispose();
  }
  return results;
}

/**
 * Tries to start tfjs's `mode` here. For webgpu it first asks the browser for
 * an adapter, so a skip can say whether the browser or tfjs was missing.
 * A failure must be an `E_BACKEND` error (never tfjs's silent fallback).
 *
 * @example
 * ```ts
 * const { available, reason } = await probeMode('webgpu');
 * ```
 */
export async function probeMode(mode: string): Promise<ModeProbe> {
  let adapter: string | undefined;
  if (mode === 'webgpu') {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } }).gpu;
    if (!gpu) return { mode, available: false, reason: 'navigator.gpu is undefined (the browser offers no WebGPU)' };
    const found = await gpu.requestAdapter().catch(() => null);
    if (!found) return { mode, available: false, reason: 'navigator.gpu.requestAdapter() returned no adapter' };
    adapter = [found.info?.vendor, found.info?.architecture, found.info?.description].filter(Boolean).join(' ') || 'an adapter';
  }
  const previous = tf.getBackend();
  try {
    await activateTfjsMode(mode);
    return { mode, available: true, adapter, activeBackend: tf.getBackend() };
  } catch (e) {
    const code = e instanceof SasError ? `${e.code}: ` : 'not a SasError: ';
    const activeBackend = tf.getBackend();
    if (previous) await activateTfjsMode(previous).catch(() => undefined);
    return { mode, available: false, adapter, activeBackend, reason: code + String((e as Error)?.message ?? e) };
  }
}

/**
 * Times the SAS forward pass at `shape` = [B, T, H, D, H', D'] in `mode`: one
 * warm-up run (compiles every shader), then `runs` timed runs; returns the
 * median in milliseconds.
 *
 * @example
 * ```ts
 * const { medianMs } = await timeForward([1, 64, 12, 64, 24, 128], { mode: 'webgl', runs: 5 });
 * ```
 */
export async function timeForward(
  shape: readonly number[],
  options: { mode: string; runs?: number },
): Promise<{ mode: string; medianMs: number; finite: boolean }> {
  const [batch, seqLen, heads, headDim, simHeads, simHeadDim] = shape;
  const config = validateConfig({ kind: 'sas', batch, seqLen, heads, headDim, simHeads, simHeadDim, kernelSize: 3, causal: true });
  const backend = await createTfjsBackend({ mode: options.mode });
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
/**
 * The char GPT in the page: the model fixtures under `baseUrl` (all, or `cases`) at
 * `TFJS_MODEL_TOLERANCE` (forward, gradients, two AdamW steps), the model-op
 * cases against the float64 reference at `atol`/`rtol`, the tiny model's
 * losses over `steps` training steps, and tfjs's live tensor count before and
 * after all of it.
 *
 * @example
 * ```ts
 * const r = await runModelChecks('/models/', { mode: 'webgl', atol: 1e-5, rtol: 1e-5 });
 * r.fixtures.every((c) => c.passed) && r.opFailures.length === 0;
 * ```
 */
export async function runModelChecks(
  baseUrl: string,
  options: { mode: string; atol: number; rtol: number; steps?: number; cases?: readonly string[] },
): Promise<{
  mode: string;
  fixtures: readonly ModelCaseReport[];
  opCases: number;
  opFailures: string[];
  losses: number[];
  numTensors: { before: number; after: number };
}> {
  const backend = await createTfjsBackend({ mode: options.mode });
  const reference = createReferenceBackend();
  const before = tf.memory().numTensors;
  const fixtures = (await runModelConformanceOverHttp(backend, baseUrl, { tolerance: TFJS_MODEL_TOLERANCE, cases: options.cases })).cases;
  const cases = modelOpCases();
  const opFailures: string[] = [];
  for (const c of cases) {
    const report = await runModelOpCase(backend, c, { atol: options.atol, rtol: options.rtol }, reference);
    if (!report.passed) opFailures.push(formatModelOpCase(report));
  }
  const losses = await trainTinyModel(backend, { steps: options.steps });
  return { mode: tf.getBackend(), fixtures, opCases: cases.length, opFailures, losses, numTensors: { before, after: tf.memory().numTensors } };
}

const api = { runFixtures, runOpCases, runModelChecks, probeMode, timeForward, availableModes };
export type PageApi = typeof api;
(globalThis as { sasTfjs?: PageApi }).sasTfjs = api;
export default api;
