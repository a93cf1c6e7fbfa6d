import { referenceProvider, SasError, type BackendProvider } from '@sas/core';

/** Backend name → how to load its provider (lazily: tfjs and gpu.js are heavy). */
const LOADERS: Readonly<Record<string, () => Promise<BackendProvider>>> = {
  reference: async () => referenceProvider,
  ndarray: async () => providerOf(await import('@sas/backend-ndarray'), 'ndarrayProvider'),
  tfjs: async () => providerOf(await import('@sas/backend-tfjs'), 'tfjsProvider'),
  gpujs: async () => providerOf(await import('@sas/backend-gpujs'), 'gpujsProvider'),
  onnx: async () => providerOf(await import('@sas/onnx'), 'onnxProvider'),
};

/** Reads a backend package's provider export. */
function providerOf(module: object, exportName: string): BackendProvider {
  return (module as Record<string, BackendProvider>)[exportName];
}

/** Names the CLI knows. */
export const BACKEND_NAMES = Object.keys(LOADERS);

/**
 * Loads a backend provider by name, or fails naming the known ones.
 *
 * @example
 * ```ts
 * const provider = await loadProvider('reference');
 * const backend = await provider.create({ mode: 'float64' });
 * ```
 */
export async function loadProvider(name: string): Promise<BackendProvider> {
  const load = LOADERS[name];
  if (!load) throw new SasError('E_BACKEND', `unknown backend '${name}' (known: ${BACKEND_NAMES.join(', ')})`);
  const provider = await load();
  if (!provider) throw new SasError('E_BACKEND', `backend '${name}' is not built into this version`);
  return provider;
}

/** Checks a mode against the provider's list before creating anything. */
export function checkMode(provider: BackendProvider, mode: string | undefined): string {
  if (mode === undefined) return provider.modes[0];
  if (!provider.modes.includes(mode)) throw new SasError('E_BACKEND', `backend '${provider.name}' has no mode '${mode}' (modes: ${provider.modes.join(', ')})`);
  return mode;
}
