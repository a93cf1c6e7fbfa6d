import { SasError, type BackendProvider } from '@sas/core';

/** Whether `value` has the shape of a `BackendProvider` (name, modes, tolerance, create). */
export function isBackendProvider(value: unknown): value is BackendProvider {
  const p = value as Partial<BackendProvider> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.name === 'string' &&
    Array.isArray(p.modes) &&
    p.modes.length > 0 &&
    typeof p.tolerance === 'function' &&
    typeof p.create === 'function'
  );
}

/**
 * The backend provider a loaded module offers: the value itself when it is a
 * provider, else the module's default export, else its one named export that
 * is a provider. No provider, or several named ones and no default, is one
 * `E_BACKEND` line naming `source` and what was found.
 *
 * @example
 * ```ts
 * import { providerFromModule, referenceProvider } from '@sas/attention';
 * providerFromModule({ referenceProvider }, './my-backend.js').name; // 'reference'
 * ```
 */
export function providerFromModule(loaded: unknown, source: string): BackendProvider {
  if (isBackendProvider(loaded)) return loaded;
  if (typeof loaded !== 'object' || loaded === null) {
    throw new SasError('E_BACKEND', `${source} gave ${loaded === null ? 'null' : typeof loaded}, not a backend provider or a module exporting one`);
  }
  const exports = loaded as Record<string, unknown>;
  if (isBackendProvider(exports.default)) return exports.default;
  const named = Object.keys(exports).filter((key) => key !== 'default' && isBackendProvider(exports[key]));
  if (named.length === 1) return exports[named[0]] as BackendProvider;
  if (named.length > 1) {
    throw new SasError('E_BACKEND', `${source} exports several backend providers (${named.join(', ')}); export the one to use as default`);
  }
  const keys = Object.keys(exports);
  throw new SasError(
    'E_BACKEND',
    `${source} exports no backend provider (an object with name, modes, tolerance(mode) and create(options)) as default or named export; exports: ${keys.length ? keys.join(', ') : 'none'}`,
  );
}
