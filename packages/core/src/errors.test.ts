import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { missingPackageOf } from './errors.js';

/** The error a real `import()` of `specifier` throws from a module in a fresh temporary folder (Node's own resolver, not vitest's). */
async function importError(specifier: string): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'sas-missing-'));
  try {
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, `export default () => import(${JSON.stringify(specifier)});\n`);
    const { default: load } = await import(/* @vite-ignore */ pathToFileURL(entry).href);
    await load();
  } catch (e) {
    return e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error(`${specifier} imported without error`);
}

describe('missingPackageOf', () => {
  it('names a missing package, scoped or not, and the package of a missing subpath', async () => {
    expect(missingPackageOf(await importError('sas-no-such-package'))).toBe('sas-no-such-package');
    expect(missingPackageOf(await importError('@sas-none/no-such-package'))).toBe('@sas-none/no-such-package');
    expect(missingPackageOf(await importError('@sas-none/no-such-package/sub/path.js'))).toBe('@sas-none/no-such-package');
  });

  it('is undefined for a missing file and for errors that are not about resolution', async () => {
    expect(missingPackageOf(await importError('./no-such-file.mjs'))).toBeUndefined();
    expect(missingPackageOf(new SyntaxError('Unexpected token'))).toBeUndefined();
    expect(missingPackageOf(undefined)).toBeUndefined();
  });
});
