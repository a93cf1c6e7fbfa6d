import type { BackendProvider } from '@sas/core';
import { BACKEND_NAMES, loadProvider } from '../registry.js';

/**
 * Every built-in backend but the reference (the suite adds it), loaded through
 * the registry and handed to the conformance checks. In this monorepo every
 * backend package is installed, so one that fails to load fails the test
 * file instead of being skipped; a mode that cannot run here (headless GL
 * without a display) is still a skipped test naming the reason.
 *
 * @example
 * ```ts
 * const targets = await discoverTargets(await allBackendProviders());
 * ```
 */
export function allBackendProviders(): Promise<BackendProvider[]> {
  return Promise.all(BACKEND_NAMES.filter((name) => name !== 'reference').map((name) => loadProvider(name)));
}
