import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { referenceProvider, SasError, type BackendProvider } from '@sas/core';

/** A backend package the suite looks for at run time. */
export interface ProviderCandidate {
  /** Backend name, e.g. 'ndarray'. */
  readonly name: string;
  /** Package name, for messages. */
  readonly packageName: string;
  /** The export holding its `BackendProvider`. */
  readonly exportName: string;
  /** Imports the package's module. */
  load(): Promise<unknown>;
}

/** One backend mode: ready to create, or unavailable with the reason. */
export type BackendTarget =
  | { readonly name: string; readonly mode: string; readonly available: true; readonly provider: BackendProvider }
  | { readonly name: string; readonly mode: string; readonly available: false; readonly reason: string };

/** The workspace's backend packages: directory under packages/, package name, provider export. */
const WORKSPACE_BACKENDS = [
  ['ndarray', 'backend-ndarray', '@sas/backend-ndarray', 'ndarrayProvider'],
  ['tfjs', 'backend-tfjs', '@sas/backend-tfjs', 'tfjsProvider'],
  ['gpujs', 'backend-gpujs', '@sas/backend-gpujs', 'gpujsProvider'],
  ['onnx', 'onnx', '@sas/onnx', 'onnxProvider'],
] as const;

/**
 * The backend packages of this monorepo, loaded from their sources under
 * vitest (so tests need no build) and from their `dist/` otherwise. The
 * conformance package does not depend on the backends (they depend on it), so
 * they are found by path, never by a static import.
 *
 * @example
 * ```ts
 * import { workspaceCandidates } from '@sas/conformance';
 * workspaceCandidates().map((c) => c.name); // ['ndarray', 'tfjs', 'gpujs', 'onnx']
 * ```
 */
export function workspaceCandidates(): ProviderCandidate[] {
  // src/fuzz/ and dist/fuzz/ both sit three levels below packages/.
  const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));
  const fromSource = typeof process !== 'undefined' && process.env.VITEST !== undefined;
  return WORKSPACE_BACKENDS.map(([name, dir, packageName, exportName]) => ({
    name,
    packageName,
    exportName,
    load: async () => {
      const entry = `${packagesDir}${dir}/${fromSource ? 'src/index.ts' : 'dist/index.js'}`;
      if (!existsSync(entry)) throw new SasError('E_BACKEND', `${packageName} is not in this checkout (no ${entry})`);
      return import(pathToFileURL(entry).href);
    },
  }));
}

/**
 * Finds which backends and modes can run here: the reference always, then
 * each candidate whose package loads, exports its provider, and whose
 * `create({ mode })` succeeds. A missing export or an `E_BACKEND` from
 * `create` (no display for headlessgl, a runtime not installed) makes that
 * target unavailable with the reason; any other error propagates, since it is
 * a bug, not an absence.
 *
 * @example
 * ```ts
 * import { discoverTargets, workspaceCandidates } from '@sas/conformance';
 * for (const t of await discoverTargets(workspaceCandidates())) {
 *   console.log(t.name, t.mode, t.available ? 'ok' : t.reason);
 * }
 * ```
 */
export async function discoverTargets(
  candidates: readonly ProviderCandidate[],
  options: { readonly includeReference?: boolean } = {},
): Promise<BackendTarget[]> {
  const targets: BackendTarget[] = [];
  if (options.includeReference ?? true) targets.push({ name: 'reference', mode: 'float64', available: true, provider: referenceProvider });
  for (const candidate of candidates) {
    let provider: BackendProvider | undefined;
    try {
      provider = ((await candidate.load()) as Record<string, BackendProvider | undefined>)[candidate.exportName];
    } catch (e) {
      targets.push({ name: candidate.name, mode: '*', available: false, reason: `${candidate.packageName} does not load: ${firstLine(e)}` });
      continue;
    }
    if (!provider || typeof provider.create !== 'function') {
      targets.push({ name: candidate.name, mode: '*', available: false, reason: `${candidate.packageName} has no '${candidate.exportName}' export yet` });
      continue;
    }
    for (const mode of provider.modes) targets.push(await probe(candidate.name, provider, mode));
  }
  return targets;
}

async function probe(name: string, provider: BackendProvider, mode: string): Promise<BackendTarget> {
  try {
    const backend = await provider.create({ mode });
    await backend.dispose();
    return { name, mode, available: true, provider };
  } catch (e) {
    // By code, not instanceof: a backend loaded from dist/ may carry its own copy of SasError.
    if ((e as { code?: unknown })?.code === 'E_BACKEND') return { name, mode, available: false, reason: firstLine(e) };
    throw e;
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
