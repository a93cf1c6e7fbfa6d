import { printable, referenceProvider, SasError, type Backend, type BackendProvider } from '@sas/core';

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

/** Every backend name this library knows. */
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
  // Own names only: 'constructor' or 'toString' is an unknown backend, not Object.prototype's member.
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  if (!load) throw new SasError('E_BACKEND', `unknown backend '${printable(name)}' (known: ${BACKEND_NAMES.join(', ')})`);
  const provider = await load();
  if (!provider) throw new SasError('E_BACKEND', `backend '${name}' is not built into this version`);
  return provider;
}

/**
 * Creates a ready backend by name (default mode: the provider's best).
 *
 * @example
 * ```ts
 * import { createBackend } from '@sas/attention';
 * const backend = await createBackend('tfjs', { mode: 'wasm' });
 * ```
 */
export async function createBackend(name: string, options: { mode?: string } = {}): Promise<Backend> {
  const provider = await loadProvider(name);
  return provider.create({ mode: checkMode(provider, options.mode) });
}

/**
 * Checks a mode against the provider's list before creating anything. No mode
 * stays undefined, so the provider picks the best one available here.
 */
export function checkMode(provider: BackendProvider, mode: string | undefined): string | undefined {
  if (mode === undefined) return undefined;
  if (!provider.modes.includes(mode))
    throw new SasError('E_BACKEND', `backend '${provider.name}' has no mode '${printable(mode)}' (modes: ${provider.modes.join(', ')})`);
  return mode;
}
