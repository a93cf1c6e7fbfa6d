import { parseSafetensors, type Backend } from '@sas/core';
import { sortModelCaseTensors } from './case-tensors.js';
import { parseModelManifest } from './manifest.js';
import { runModelCaseOnTensors, selectModelCases, type ModelCaseReport, type ModelConformanceOptions, type ModelConformanceReport } from './run-case.js';

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/**
 * The model conformance suite over HTTP, for browsers and other runtimes
 * without a file system: fetches `manifest.json` and each case's safetensors
 * file under `baseUrl` and runs every case as `runModelConformance` does
 * (a run that checks nothing fails).
 *
 * @example
 * ```ts
 * import { runModelConformanceOverHttp } from '@sas/conformance/portable';
 * const report = await runModelConformanceOverHttp(backend, '/models/', { tolerance });
 * report.passed;
 * ```
 */
export async function runModelConformanceOverHttp(backend: Backend, baseUrl: string | URL, options: ModelConformanceOptions): Promise<ModelConformanceReport> {
  const base = new URL(baseUrl, globalThis.location?.href);
  const manifestUrl = new URL('manifest.json', base);
  const set = parseModelManifest(await (await fetchOk(manifestUrl)).json(), String(manifestUrl), (file) => String(new URL(file, base)), String(base));
  const { selected, problem } = selectModelCases(set.cases, options.cases);
  const cases: ModelCaseReport[] = [];
  for (const fixture of selected) {
    const load = async () =>
      sortModelCaseTensors(parseSafetensors(new Uint8Array(await (await fetchOk(new URL(fixture.path))).arrayBuffer()), fixture.file), fixture);
    cases.push(await runModelCaseOnTensors(backend, fixture, load, options));
  }
  return {
    backend: backend.name,
    mode: backend.mode,
    dtype: options.dtype ?? backend.dtypes[0],
    fixturesDir: String(base),
    tolerance: options.tolerance,
    passed: problem === undefined && cases.every((c) => c.passed),
    cases,
    ...(problem ? { problem } : {}),
  };
}
