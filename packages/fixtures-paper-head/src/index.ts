/**
 * @sas/fixtures-paper-head — one conformance fixture at the paper's head
 * shape, in the format of @sas/conformance's bundled fixtures (a
 * `manifest.json` beside the safetensors file), so any runner that takes a
 * fixture directory runs it.
 */
import { fileURLToPath } from 'node:url';

/**
 * The directory holding `manifest.json` and `sas-paper-head.safetensors`.
 *
 * @example
 * ```ts
 * import { runConformance } from '@sas/conformance';
 * import { paperHeadFixturesDir } from '@sas/fixtures-paper-head';
 * const report = await runConformance(backend, { tolerance, fixturesDir: paperHeadFixturesDir() });
 * ```
 */
export function paperHeadFixturesDir(): string {
  // src/ and dist/ both sit one level below the package root, beside fixtures/.
  return fileURLToPath(new URL('../fixtures', import.meta.url));
}
