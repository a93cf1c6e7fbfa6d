import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors, SasError, type Backend } from '@sas/core';
import { sortModelCaseTensors, type ModelCaseTensors } from './case-tensors.js';
import { parseModelManifest, type ModelFixtureCase, type ModelFixtureSet } from './manifest.js';
import { runModelCaseOnTensors, selectModelCases, type ModelCaseReport, type ModelConformanceOptions, type ModelConformanceReport } from './run-case.js';

/**
 * The model fixtures bundled with this package (MODEL.md's PyTorch float64 reference run).
 *
 * @example
 * ```ts
 * import { bundledModelFixturesDir, loadModelFixtureSet } from '@sas/conformance';
 * loadModelFixtureSet(bundledModelFixturesDir()).cases.length; // 6
 * ```
 */
export function bundledModelFixturesDir(): string {
  // src/models/ and dist/models/ both sit two levels below the package root, beside models/.
  return fileURLToPath(new URL('../../models', import.meta.url));
}

/**
 * Reads and validates `dir/manifest.json` of a model fixture directory. Any
 * directory in MODEL.md's layout works; every defect is an `E_FIXTURE` error
 * naming the file and the case.
 *
 * @example
 * ```ts
 * import { loadModelFixtureSet } from '@sas/conformance';
 * loadModelFixtureSet('/path/to/models').cases.map((c) => c.name);
 * ```
 */
export function loadModelFixtureSet(dir: string): ModelFixtureSet {
  const root = resolve(dir);
  const manifestPath = join(root, 'manifest.json');
  let text: string;
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
    text = readFileSync(manifestPath, 'utf8');
  } catch (e) {
    throw new SasError('E_FIXTURE', `${manifestPath}: cannot read the model fixture manifest (${(e as Error).message})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new SasError('E_FIXTURE', `${manifestPath}: not valid JSON (${(e as Error).message})`);
  }
  return parseModelManifest(manifest, manifestPath, (file) => join(root, file), root);
}

/**
 * Reads a model case's safetensors file and sorts its tensors (MODEL.md's table).
 *
 * @example
 * ```ts
 * import { bundledModelFixturesDir, loadModelFixtureSet, loadModelCaseTensors } from '@sas/conformance';
 * const [first] = loadModelFixtureSet(bundledModelFixturesDir()).cases;
 * loadModelCaseTensors(first).ids.shape; // [2, 9]
 * ```
 */
export function loadModelCaseTensors(c: ModelFixtureCase): ModelCaseTensors {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(c.path));
  } catch (e) {
    throw new SasError('E_FIXTURE', `${c.path}: cannot read case '${c.name}' (${(e as Error).message})`);
  }
  return sortModelCaseTensors(parseSafetensors(bytes, c.path), c);
}

/**
 * Runs one model case from disk on `backend` (see `runModelCaseOnTensors`).
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { bundledModelFixturesDir, loadModelFixtureSet, runModelCase } from '@sas/conformance';
 * const [first] = loadModelFixtureSet(bundledModelFixturesDir()).cases;
 * (await runModelCase(createReferenceBackend(), first, { tolerance: referenceProvider.tolerance('float64') })).passed; // true
 * ```
 */
export function runModelCase(backend: Backend, fixture: ModelFixtureCase, options: ModelConformanceOptions): Promise<ModelCaseReport> {
  return runModelCaseOnTensors(backend, fixture, () => loadModelCaseTensors(fixture), options);
}

/**
 * Holds a backend to the char GPT's PyTorch float64 numbers: every case of a
 * model fixture directory (default: the bundled one), forward, gradients and
 * two training steps, per tensor against the tolerance. A run with nothing to
 * check (an empty manifest, no case matching `cases`) fails.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { runModelConformance } from '@sas/conformance';
 * const report = await runModelConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64') });
 * report.passed; // true
 * ```
 */
export async function runModelConformance(backend: Backend, options: ModelConformanceOptions): Promise<ModelConformanceReport> {
  const set = loadModelFixtureSet(options.fixturesDir ?? bundledModelFixturesDir());
  const { selected, problem } = selectModelCases(set.cases, options.cases);
  const cases: ModelCaseReport[] = [];
  for (const fixture of selected) cases.push(await runModelCase(backend, fixture, options));
  return {
    backend: backend.name,
    mode: backend.mode,
    dtype: options.dtype ?? backend.dtypes[0],
    fixturesDir: set.dir,
    tolerance: options.tolerance,
    passed: problem === undefined && cases.every((c) => c.passed),
    cases,
    ...(problem ? { problem } : {}),
  };
}
