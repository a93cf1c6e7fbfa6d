import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors, SasError } from '@sas/core';
import { sortCaseTensors, type CaseTensors } from './case-tensors.js';
import { parseManifest, type FixtureCase, type FixtureSet } from './manifest.js';

export type { CaseTensors } from './case-tensors.js';
export type { FixtureCase, FixtureSet } from './manifest.js';

/**
 * The fixtures bundled with this package (copied from the authors' reference run).
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet } from '@sas/conformance';
 * loadFixtureSet(bundledFixturesDir()).cases.length; // 11
 * ```
 */
export function bundledFixturesDir(): string {
  // src/ and dist/ both sit one level below the package root, beside fixtures/.
  return fileURLToPath(new URL('../fixtures', import.meta.url));
}

/**
 * Reads and validates `dir/manifest.json`. Any directory in the same format
 * works; every defect is an `E_FIXTURE` error naming the file and the case.
 *
 * @example
 * ```ts
 * import { loadFixtureSet } from '@sas/conformance';
 * const set = loadFixtureSet('/path/to/fixtures');
 * set.cases.map((c) => c.name);
 * ```
 */
export function loadFixtureSet(dir: string): FixtureSet {
  const root = resolve(dir);
  const manifestPath = join(root, 'manifest.json');
  let text: string;
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
    text = readFileSync(manifestPath, 'utf8');
  } catch (e) {
    throw new SasError('E_FIXTURE', `${manifestPath}: cannot read the fixture manifest (${(e as Error).message})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new SasError('E_FIXTURE', `${manifestPath}: not valid JSON (${(e as Error).message})`);
  }
  return parseManifest(manifest, manifestPath, (file) => join(root, file), root);
}

/**
 * Reads a case's safetensors file and sorts its tensors into inputs, params,
 * expected outputs and gradients, checking every shape against the config.
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet, loadCaseTensors } from '@sas/conformance';
 * const [first] = loadFixtureSet(bundledFixturesDir()).cases;
 * loadCaseTensors(first).inputs.query.shape; // [1, 4, 2, 4]
 * ```
 */
export function loadCaseTensors(c: FixtureCase): CaseTensors {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(c.path));
  } catch (e) {
    throw new SasError('E_FIXTURE', `${c.path}: cannot read case '${c.name}' (${(e as Error).message})`);
  }
  return sortCaseTensors(parseSafetensors(bytes, c.path), c);
}
