import { missingPackageOf, printable, referenceProvider, SasError, type Backend, type BackendProvider } from '@sas/core';
import { providerFromModule } from './provider-module.js';

/** Loads a backend's provider: returns the provider itself, or a module that exports one (`() => import('my-backend')`). */
export type BackendLoader = () => Promise<unknown>;

/** A registered backend: how to load it and, for the built-in ones, what to install when it is missing. */
interface Entry {
  readonly load: BackendLoader;
  /** The npm packages that make the backend available (`npm i …`), named when loading it fails for want of one. */
  readonly install?: readonly string[];
}

/**
 * Imports an optional backend package by a specifier bundlers do not follow:
 * only the default backend (ndarray) is a dependency of this package, the
 * others are optional peers that may not be installed. In a bundled browser
 * app, import the backend package yourself, or `registerBackend` it with a
 * literal `import('@sas/backend-tfjs')` so the bundler includes it.
 */
const importOptional = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);

const BUILT_IN: Readonly<Record<string, Entry>> = {
  reference: { load: async () => referenceProvider },
  ndarray: { load: async () => (await import('@sas/backend-ndarray')).ndarrayProvider, install: ['@sas/backend-ndarray'] },
  tfjs: {
    load: async () => ((await importOptional('@sas/backend-tfjs')) as { tfjsProvider: BackendProvider }).tfjsProvider,
    install: ['@sas/backend-tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'],
  },
  gpujs: {
    load: async () => ((await importOptional('@sas/backend-gpujs')) as { gpujsProvider: BackendProvider }).gpujsProvider,
    install: ['@sas/backend-gpujs'],
  },
  onnx: {
    load: async () => ((await importOptional('@sas/onnx')) as { onnxProvider: BackendProvider }).onnxProvider,
    install: ['@sas/onnx', 'onnxruntime-node'],
  },
};

const registry = new Map<string, Entry>(Object.entries(BUILT_IN));

/**
 * Every backend name known right now: the built-in ones, then those added
 * with `registerBackend`, in registration order.
 *
 * @example
 * ```ts
 * import { backendNames } from '@sas/attention';
 * backendNames(); // ['reference', 'ndarray', 'tfjs', 'gpujs', 'onnx']
 * ```
 */
export function backendNames(): string[] {
  return [...registry.keys()];
}

/** The backends this library ships a loader for (`backendNames()` adds the registered ones). */
export const BACKEND_NAMES: readonly string[] = Object.keys(BUILT_IN);

/**
 * Makes a backend written outside this library known by name, so that
 * `createBackend(name)`, `loadProvider(name)` and everything built on them
 * (the `sas` CLI included) use it like a built-in one. The loader runs on
 * first use and may return the provider or a module exporting one. A name
 * already registered is refused unless `{ replace: true }`.
 *
 * @example
 * ```ts
 * import { createBackend, registerBackend } from '@sas/attention';
 * registerBackend('tiny', () => import('./tiny-backend.js'));
 * const backend = await createBackend('tiny');
 * ```
 */
export function registerBackend(name: string, loader: BackendLoader, options: { readonly replace?: boolean } = {}): void {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
    throw new SasError('E_BACKEND', `registerBackend: a backend name is letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`);
  }
  if (typeof loader !== 'function') throw new SasError('E_BACKEND', `registerBackend('${name}'): the loader must be a function, got ${typeof loader}`);
  if (registry.has(name) && !options.replace) {
    throw new SasError('E_BACKEND', `registerBackend: a backend named '${name}' is already registered (pass { replace: true } to replace it)`);
  }
  registry.set(name, { load: loader });
}

/**
 * Loads a backend provider by name. Fails in one line naming the known
 * backends for an unknown name, and the packages to install for a backend
 * whose package (or its engine) is not installed.
 *
 * @example
 * ```ts
 * import { loadProvider } from '@sas/attention';
 * const provider = await loadProvider('reference');
 * const backend = await provider.create({ mode: 'float64' });
 * ```
 */
export async function loadProvider(name: string): Promise<BackendProvider> {
  const entry = registry.get(name);
  if (!entry) throw new SasError('E_BACKEND', `unknown backend '${printable(name)}' (known: ${backendNames().join(', ')})`);
  let loaded: unknown;
  try {
    loaded = await entry.load();
  } catch (e) {
    const missing = missingPackageOf(e);
    if (missing === undefined) throw e;
    const install = entry.install ?? [missing];
    throw new SasError(
      'E_BACKEND',
      `backend '${printable(name)}' needs the package ${missing}, which is not installed here (npm i ${install.includes(missing) ? install.join(' ') : missing})`,
    );
  }
  return providerFromModule(loaded, `backend '${name}'`);
}

/**
 * Creates a ready backend by name (default mode: the provider's best).
 *
 * @example
 * ```ts
 * import { createBackend } from '@sas/attention';
 * const backend = await createBackend('ndarray', { mode: 'cpu' });
 * await backend.dispose();
 * ```
 */
export async function createBackend(name: string, options: { mode?: string } = {}): Promise<Backend> {
  const provider = await loadProvider(name);
  return provider.create({ mode: checkMode(provider, options.mode) });
}

/**
 * Checks a mode against the provider's list before creating anything. No mode
 * stays undefined, so the provider picks the best one available here.
 *
 * @example
 * ```ts
 * import { checkMode, referenceProvider } from '@sas/attention';
 * checkMode(referenceProvider, 'float64'); // 'float64'
 * ```
 */
export function checkMode(provider: BackendProvider, mode: string | undefined): string | undefined {
  if (mode === undefined) return undefined;
  if (!provider.modes.includes(mode))
    throw new SasError('E_BACKEND', `backend '${provider.name}' has no mode '${printable(mode)}' (modes: ${provider.modes.join(', ')})`);
  return mode;
}
