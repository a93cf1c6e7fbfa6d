import { fileURLToPath } from 'node:url';

/** The package root (src/browser/ → ../../). */
export const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Bundles `src/browser/page.ts` (this backend, @sas/core, tfjs-core and the
 * tfjs backends the modes import) into `outDir/page.js` with the monorepo's
 * vite, as an ES module a plain page can import. Workspace packages are read
 * from source through the `@sas/source` export condition, so nothing needs
 * building first.
 *
 * @example
 * ```ts
 * await bundlePage('/tmp/sas-tfjs-page');   // writes /tmp/sas-tfjs-page/page.js
 * ```
 */
export async function bundlePage(outDir: string): Promise<string> {
  const { build, defaultClientConditions } = await import('vite');
  await build({
    configFile: false,
    root: PACKAGE_DIR,
    logLevel: 'error',
    resolve: { conditions: ['@sas/source', ...defaultClientConditions] },
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'es2022',
      lib: { entry: fileURLToPath(new URL('./page.ts', import.meta.url)), formats: ['es'], fileName: () => 'page.js' },
    },
  });
  return `${outDir}/page.js`;
}
