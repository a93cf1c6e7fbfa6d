import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonText, printable, type Backend } from '@sas/core';
import { checkInsideDirectory, readRegularFile, readSafetensorsFile } from '../read-file.js';
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
  const bytes = readRegularFile(manifestPath, { what: 'model fixture manifest', code: 'E_FIXTURE', maxBytes: 16 * 1024 * 1024 });
  const manifest = parseJsonText(new TextDecoder().decode(bytes), manifestPath, 'E_FIXTURE');
  const set = parseModelManifest(manifest, manifestPath, (file) => join(root, file), root);
  return { ...set, cases: set.cases.map((c) => ({ ...c, root })) };
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
  // A regular file inside the fixture directory, its size checked against its header before its data is read.
  if (c.root !== undefined) checkInsideDirectory(c.path, c.root, `the file of case '${printable(c.name)}'`);
  return sortModelCaseTensors(readSafetensorsFile(c.path, { what: `file of case '${printable(c.name)}'`, code: 'E_FIXTURE' }), c);
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
