import { referenceProvider, type BackendProvider } from '@sas/core';

/** One backend mode: ready to create, or unavailable with the reason. */
export type BackendTarget =
  | { readonly name: string; readonly mode: string; readonly available: true; readonly provider: BackendProvider }
  | { readonly name: string; readonly mode: string; readonly available: false; readonly reason: string };

/**
 * Finds which of the given backends and modes can run here: the reference
 * first (unless `includeReference: false`), then every mode of every
 * provider whose `create({ mode })` succeeds. An `E_BACKEND` from `create`
 * (no display for headlessgl, a runtime not installed) makes that mode
 * unavailable with the reason; any other error propagates, since it is a
 * bug, not an absence. The suite never looks for backend packages itself:
 * the caller hands them in.
 *
 * @example
 * ```ts
 * import { ndarrayProvider } from '@sas/backend-ndarray';
 * import { discoverTargets } from '@sas/conformance';
 * for (const t of await discoverTargets([ndarrayProvider])) {
 *   console.log(t.name, t.mode, t.available ? 'ok' : t.reason);
 * }
 * ```
 */
export async function discoverTargets(providers: readonly BackendProvider[], options: { readonly includeReference?: boolean } = {}): Promise<BackendTarget[]> {
  const targets: BackendTarget[] = [];
  if (options.includeReference ?? true) targets.push({ name: 'reference', mode: 'float64', available: true, provider: referenceProvider });
  for (const provider of providers) {
    for (const mode of provider.modes) targets.push(await probe(provider, mode));
  }
  return targets;
}

async function probe(provider: BackendProvider, mode: string): Promise<BackendTarget> {
  try {
    const backend = await provider.create({ mode });
    await backend.dispose();
    return { name: provider.name, mode, available: true, provider };
  } catch (e) {
    // By code, not instanceof: a backend package may carry its own copy of SasError.
    if ((e as { code?: unknown })?.code === 'E_BACKEND') return { name: provider.name, mode, available: false, reason: firstLine(e) };
    throw e;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
