import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonText, printable } from '@sas/core';
import { sortCaseTensors, type CaseTensors } from './case-tensors.js';
import { parseManifest, type FixtureCase, type FixtureSet } from './manifest.js';
import { checkInsideDirectory, readRegularFile, readSafetensorsFile } from './read-file.js';

export type { CaseTensors } from './case-tensors.js';
export type { FixtureCase, FixtureSet } from './manifest.js';

/**
 * The fixtures bundled with this package (copied from the authors' reference run).
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet } from '@sas/conformance';
 * loadFixtureSet(bundledFixturesDir()).cases.length; // 12
 * ```
 */
export function bundledFixturesDir(): string {
  // src/ and dist/ both sit one level below the package root, beside fixtures/.
  return fileURLToPath(new URL('../fixtures', import.meta.url));
}

/**
 * Reads and validates `dir/manifest.json`. Any directory in the same format
 * works; every defect is an `E_FIXTURE` error naming the file and the case.
 * The manifest must be a regular file of at most 16 MiB, nested at most 64
 * levels, and every case's `file` a path inside `dir`.
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
  const bytes = readRegularFile(manifestPath, { what: 'fixture manifest', code: 'E_FIXTURE', maxBytes: MAX_MANIFEST_BYTES });
  const manifest = parseJsonText(new TextDecoder().decode(bytes), manifestPath, 'E_FIXTURE');
  const set = parseManifest(manifest, manifestPath, (file) => join(root, file), root);
  return { ...set, cases: set.cases.map((c) => ({ ...c, root })) };
}

/** A manifest lists cases; 16 MiB is tens of thousands of them. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * Reads a case's safetensors file and sorts its tensors into inputs, params,
 * expected outputs and gradients, checking every shape against the config.
 * The file must be a regular file inside the fixture directory (symlinks are
 * followed, and must stay inside too), and its size must match its header.
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet, loadCaseTensors } from '@sas/conformance';
 * const [first] = loadFixtureSet(bundledFixturesDir()).cases;
 * loadCaseTensors(first).inputs.query.shape; // [1, 4, 2, 4]
 * ```
 */
export function loadCaseTensors(c: FixtureCase): CaseTensors {
  if (c.root !== undefined) checkInsideDirectory(c.path, c.root, `the file of case '${printable(c.name)}'`);
  const contents = readSafetensorsFile(c.path, { what: `file of case '${printable(c.name)}'`, code: 'E_FIXTURE' });
  return sortCaseTensors(contents, c);
}
