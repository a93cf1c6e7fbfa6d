/**
 * Browser entry of the gpu.js backend's page test: bundled for the browser,
 * loaded by a page served on localhost, and driven by playwright. It fetches
 * a fixture directory over HTTP (manifest.json + safetensors), runs each case
 * on the backend in the requested mode (webgl2 in CI) and returns per-tensor
 * errors; likewise the model fixtures, the model-op cases and the tiny
 * model's training. Only @sas/core, the portable conformance suite and this
 * package are bundled: no Node APIs.
 */
import { buildLayer, createReferenceBackend, initParams, randomNormal, validateConfig, type ModelTolerance, type Tolerance } from '@sas/core';
import {
  formatModelOpCase,
  modelOpCases,
  runConformanceOverHttp,
  runModelConformanceOverHttp,
  runModelOpCase,
  trainTinyModel,
  type CaseReport,
  type ModelCaseReport,
} from '@sas/conformance/portable';
import { createGpujsBackend } from '../backend.js';
import { probeMode, runtimeModes } from '../env.js';
import { gpujsModelTolerance, gpujsTolerance } from '../tolerance.js';

/** What the page reports back: the conformance suite's per-case reports, and the modes on offer. */
export interface PageReport {
  readonly mode: string;
  readonly modes: readonly string[];
  readonly tolerance: Tolerance;
  readonly cases: readonly CaseReport[];
}

/**
 * Runs the fixture cases under `baseUrl` on the gpu.js backend in `mode` (the
 * best available when omitted) through the shared conformance suite over
 * HTTP: forward and traces, and with `grads` the gradients too.
 *
 * @example
 * ```ts
 * const report = await runFixtures('/fixtures/', { mode: 'webgl2', grads: true });
 * report.cases.every((c) => c.passed);
 * ```
 */
export async function runFixtures(baseUrl: string, options: { mode?: string; grads?: boolean; cases?: readonly string[] } = {}): Promise<PageReport> {
  const backend = await createGpujsBackend({ mode: options.mode });
  const tolerance = gpujsTolerance(backend.mode);
  try {
    const report = await runConformanceOverHttp(backend, baseUrl, { tolerance, grads: options.grads, cases: options.cases });
    return { mode: backend.mode, modes: runtimeModes(), tolerance, cases: report.cases };
  } finally {
    await backend.dispose();
  }
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
export async function timeForward(
  shape: readonly number[],
  options: { mode?: string; runs?: number } = {},
): Promise<{ mode: string; medianMs: number; finite: boolean }> {
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

/** What the page reports for the model fixtures. */
export interface ModelPageReport {
  readonly mode: string;
  readonly tolerance: ModelTolerance;
  readonly passed: boolean;
  readonly cases: readonly ModelCaseReport[];
  readonly problem?: string;
}

/**
 * Runs the model fixture cases under `baseUrl` (MODEL.md's layout; all, or `cases`) on the
 * gpu.js backend in `mode`: forward, gradients, two AdamW steps, at
 * `gpujsModelTolerance`.
 *
 * @example
 * ```ts
 * const report = await runModelFixtures('/models/', { mode: 'webgl2' });
 * report.passed;
 * ```
 */
export async function runModelFixtures(baseUrl: string, options: { mode?: string; cases?: readonly string[] } = {}): Promise<ModelPageReport> {
  const backend = await createGpujsBackend({ mode: options.mode });
  const tolerance = gpujsModelTolerance(backend.mode);
  try {
    const report = await runModelConformanceOverHttp(backend, baseUrl, { tolerance, cases: options.cases });
    return { mode: backend.mode, tolerance, passed: report.passed, cases: report.cases, ...(report.problem ? { problem: report.problem } : {}) };
  } finally {
    await backend.dispose();
  }
}

/**
 * Runs the model-op cases (`modelOpCases`) in `mode` against the float64
 * reference at the mode's tolerance; the GL modes leave out the cases with
 * NaN or ±∞, which GL drivers need not honour. Returns one line per failed
 * case and how many ran.
 *
 * @example
 * ```ts
 * const { failed, ran } = await runModelOps({ mode: 'webgl2' });
 * ```
 */
export async function runModelOps(options: { mode?: string } = {}): Promise<{ mode: string; ran: number; failed: string[] }> {
  const backend = await createGpujsBackend({ mode: options.mode });
  const host = backend.mode === 'cpu' || backend.mode === 'webasm';
  const reference = createReferenceBackend();
  try {
    const cases = modelOpCases().filter((c) => host || !c.nonFinite);
    const failed: string[] = [];
    for (const c of cases) {
      const report = await runModelOpCase(backend, c, gpujsTolerance(backend.mode), reference);
      if (!report.passed) failed.push(formatModelOpCase(report));
    }
    return { mode: backend.mode, ran: cases.length, failed };
  } finally {
    await backend.dispose();
  }
}

/**
 * Trains the tiny char GPT (`trainTinyModel`) for `steps` steps in `mode`;
 * returns the loss before each step.
 *
 * @example
 * ```ts
 * const { losses } = await trainTiny({ mode: 'webgl2', steps: 6 });
 * ```
 */
export async function trainTiny(options: { mode?: string; steps?: number } = {}): Promise<{ mode: string; losses: number[] }> {
  const backend = await createGpujsBackend({ mode: options.mode });
  try {
    return { mode: backend.mode, losses: await trainTinyModel(backend, { steps: options.steps }) };
  } finally {
    await backend.dispose();
  }
}

/** What the page exposes to the driver. */
const api = { runFixtures, runModelFixtures, runModelOps, trainTiny, timeForward, probeMode, runtimeModes };
(globalThis as { sasGpujs?: typeof api }).sasGpujs = api;
export default api;
