// Where a fixture manifest's `file` may point: a relative path inside its
// directory (portable: checked the same on disk and under a base URL).
// Symlinks are checked where the file is read (read-file.ts).

import { printable, SasError } from '@sas/core';

/**
 * Refuses a manifest `file` that could leave the fixture directory: an
 * absolute path, a drive letter or URL scheme, a `..` segment, a control
 * character. `where` names the manifest and the case.
 *
 * @example
 * ```ts
 * import { checkFixtureFile } from '@sas/conformance/portable';
 * checkFixtureFile('sas-tiny.safetensors', 'manifest.json: case 0'); // fine
 * checkFixtureFile('../secret', 'manifest.json: case 0');             // throws E_FIXTURE
 * ```
 */
export function checkFixtureFile(file: string, where: string): void {
  const escapes =
    /^[/\\]|^[A-Za-z][A-Za-z0-9+.-]*:/.test(file) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    /[\u0000-\u001f\u007f]/.test(file) ||
    file.split(/[/\\]/).includes('..');
  if (escapes) throw new SasError('E_FIXTURE', `${where}: "file" must be a relative path inside the fixture directory, got '${printable(file)}'`);
}
