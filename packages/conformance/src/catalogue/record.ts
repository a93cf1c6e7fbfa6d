// Shared by the error catalogue's test files (docs/reliability.md): assert an
// error's code and one-line message, and record what was seen so that
//   SAS_CATALOGUE_OUT=/tmp/catalogue.json pnpm exec vitest run --project conformance catalogue
// writes every (code, situation, message) for the doc: errors-catalogue.test.ts
// to that path, each file here to /tmp/catalogue.<file>.json beside it.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

/** One catalogue row: the code, the situation and the message a test saw. */
export interface CatalogueEntry {
  readonly code: string;
  readonly situation: string;
  readonly message: string;
}

/**
 * A catalogue for one test file: `expectError` asserts and records, `record`
 * adds a row seen another way (a CLI line); the rows are written after the
 * file's tests when `SAS_CATALOGUE_OUT` is set.
 *
 * @example
 * ```ts
 * const { expectError } = catalogue('paths');
 * it('a FIFO', () => expectError('case file is a FIFO', 'E_FIXTURE', /not a regular file/, () => loadCaseTensors(c)));
 * ```
 */
export function catalogue(file?: string) {
  const seen: CatalogueEntry[] = [];
  afterAll(() => {
    const out = process.env.SAS_CATALOGUE_OUT;
    if (out) writeFileSync(file ? out.replace(/(\.json)?$/, `.${file}.json`) : out, JSON.stringify(seen, null, 1));
  });
  /** Runs `f`, expects a thrown SasError with `code` and `message` (exact string or pattern), one line; records it. */
  async function expectError(situation: string, code: string, message: string | RegExp, f: () => unknown): Promise<string> {
    let error: unknown;
    try {
      await f();
    } catch (e) {
      error = e;
    }
    expect(error, `${situation}: nothing was thrown`).toBeDefined();
    const e = error as { name?: string; code?: string; message?: string };
    expect(e.name, String(e.message)).toBe('SasError');
    expect(e.code, e.message).toBe(code);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/[\n\r]/);
    seen.push({ code, situation, message: e.message! });
    return e.message!;
  }
  const record = (entry: CatalogueEntry) => seen.push(entry);
  return { expectError, record, seen };
}

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The built CLI, as users run it (the root test script builds it first). */
export const CLI = resolve(REPO_ROOT, 'apps/cli/dist/main.js');

/** Runs the CLI with `args`; a hang is a failure (killed after `timeoutMs`). */
export function sas(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Escapes a path for use inside a RegExp. */
export const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
