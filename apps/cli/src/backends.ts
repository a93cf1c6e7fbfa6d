// The CLI resolves backends through the library's own registry, and also takes
// a backend written outside it: a module file or an installed package whose
// module exports a BackendProvider (`sas conformance --backend ./mine.js`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backendNames, loadProvider, providerFromModule } from '@sas/attention';
import { missingPackageOf, printable, SasError, type BackendProvider } from '@sas/core';

export { checkMode } from '@sas/attention';

/** Whether `spec` names a file rather than a backend or package name. */
function isPath(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || isAbsolute(spec) || /\.(m?js|cjs)$/.test(spec);
}

/** An npm package name (`name` or `@scope/name`), optionally with a subpath. */
const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/[\w./-]+)?$/i;

/** Imports a module file, relative to `cwd`; a missing file or a module that fails to load is one line. */
async function importFile(spec: string, cwd: string): Promise<unknown> {
  const path = resolve(cwd, spec);
  if (!existsSync(path)) throw new SasError('E_BACKEND', `--backend ${printable(spec)}: no module at ${printable(path)}`);
  try {
    return await import(pathToFileURL(path).href);
  } catch (e) {
    const missing = missingPackageOf(e);
    if (missing) throw new SasError('E_BACKEND', `--backend ${printable(spec)}: the module imports ${missing}, which is not installed here (npm i ${missing})`);
    throw new SasError(
      'E_BACKEND',
      `--backend ${printable(spec)}: the module failed to load (${printable(String((e as Error)?.message ?? e).split('\n')[0])})`,
    );
  }
}

/** Imports an installed package as seen from `cwd` (the user's project), not from the CLI's own folder. */
async function importPackage(spec: string, cwd: string): Promise<unknown> {
  let path: string;
  try {
    path = createRequire(resolve(cwd, 'package.json')).resolve(spec);
  } catch {
    throw new SasError(
      'E_BACKEND',
      `unknown backend '${printable(spec)}' (known: ${backendNames().join(', ')}; nor is it a module file or a package installed in ${printable(cwd)})`,
    );
  }
  return importFile(path, cwd);
}

/**
 * The provider of `--backend SPEC`: a backend name the library knows
 * (`ndarray`, or one added with `registerBackend`), a module file
 * (`./my-backend.js`, resolved from `cwd`), or an installed package name. A
 * module or package must export a `BackendProvider`, as default or as its
 * one provider-shaped named export.
 *
 * @example
 * ```ts
 * const provider = await loadBackendProvider('./tiny-backend.js', process.cwd());
 * const backend = await provider.create({ mode: provider.modes[0] });
 * ```
 */
export async function loadBackendProvider(spec: string, cwd: string = process.cwd()): Promise<BackendProvider> {
  if (backendNames().includes(spec)) return loadProvider(spec);
  if (isPath(spec)) return providerFromModule(await importFile(spec, cwd), `--backend ${printable(spec)}`);
  if (PACKAGE_NAME.test(spec)) return providerFromModule(await importPackage(spec, cwd), `--backend ${printable(spec)}`);
  return loadProvider(spec); // the registry's one-line "unknown backend" error
}
