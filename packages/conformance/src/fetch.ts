import { parseSafetensors, printable, SasError, type Backend } from '@sas/core';
import { sortCaseTensors } from './case-tensors.js';
import { parseManifest, selectCases } from './manifest.js';
import { conformanceReport, runCaseOnTensors, type CaseReport, type ConformanceOptions, type ConformanceReport } from './run-case.js';

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response;
}

/** A case file's URL, which must stay under the fixtures' base URL. */
function locateUnder(base: URL, file: string): string {
  const url = new URL(file, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname))
    throw new SasError('E_FIXTURE', `${base}manifest.json: case file '${printable(file)}' resolves to ${url}, outside ${base}`);
  return String(url);
}

/**
 * The conformance suite over HTTP, for browsers and other runtimes without a
 * file system: fetches `manifest.json` and each case's safetensors file under
 * `baseUrl` and runs every case as `runConformance` does.
 *
 * @example
 * ```ts
 * import { runConformanceOverHttp } from '@sas/conformance/portable';
 * const report = await runConformanceOverHttp(backend, '/fixtures/', { tolerance, grads: true });
 * report.passed;
 * ```
 */
export async function runConformanceOverHttp(backend: Backend, baseUrl: string | URL, options: ConformanceOptions): Promise<ConformanceReport> {
  const base = new URL(baseUrl, globalThis.location?.href);
  const manifestUrl = new URL('manifest.json', base);
  const set = parseManifest(await (await fetchOk(manifestUrl)).json(), String(manifestUrl), (file) => locateUnder(base, file), String(base));
  const cases: CaseReport[] = [];
  for (const fixture of selectCases(set, options.cases)) {
    const load = async () =>
      sortCaseTensors(parseSafetensors(new Uint8Array(await (await fetchOk(new URL(fixture.path))).arrayBuffer()), fixture.file), fixture);
    cases.push(await runCaseOnTensors(backend, fixture, load, options));
  }
  return conformanceReport(backend, options, String(base), cases);
}
