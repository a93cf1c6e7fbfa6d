// The typed op contract, checked where it lives: in the compiler. The files
// under contract-test/ are compiled with the repository's own tsc; each line
// that must fail is announced by a `// error below: <text>` comment, and the
// test holds the compiler to exactly those errors, no more, no fewer.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('./contract-test/', import.meta.url));
const TSC = fileURLToPath(new URL('../../../node_modules/.bin/tsc', import.meta.url));

interface CompileError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Compiles the fixture project once; its errors by file and line, continuation lines joined. */
function compileFixtures(): CompileError[] {
  const run = spawnSync(TSC, ['-p', join(FIXTURES, 'tsconfig.json'), '--pretty', 'false'], { encoding: 'utf8' });
  if (run.error) throw run.error;
  const errors: { file: string; line: number; message: string }[] = [];
  for (const text of run.stdout.split('\n')) {
    const head = /^(.*?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(text);
    if (head) errors.push({ file: head[1].split('/').at(-1)!, line: Number(head[2]), message: head[3] });
    else if (text.trim() && errors.length > 0) errors[errors.length - 1].message += ` ${text.trim()}`;
  }
  return errors;
}

/** The `// error below: <text>` markers of a fixture: the line that must fail, and text its error must contain. */
function expectedErrors(file: string): { line: number; text: string }[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .flatMap((source, i) => {
      const marker = /\/\/ error below: (.*)$/.exec(source);
      return marker ? [{ line: i + 2, text: marker[1] }] : [];
    });
}

describe('the typed op contract (compile-time)', () => {
  const errors = compileFixtures();
  const errorsIn = (file: string) => errors.filter((e) => e.file === file);

  it('accepts a complete kernel table whose kernels read typed attributes', () => {
    expect(errorsIn('complete-table.ts')).toEqual([]);
  });

  it.each(['missing-kernel.ts', 'wrong-attr-type.ts'])('%s fails to compile exactly where marked, naming what is wrong', (file) => {
    const expected = expectedErrors(file);
    expect(expected.length).toBeGreaterThan(0);
    const got = errorsIn(file);
    expect(got.map((e) => e.line)).toEqual(expected.map((e) => e.line));
    expected.forEach(({ text }, i) => expect(got[i].message).toContain(text));
  });

  it('reports no errors outside the fixtures (core itself compiles under the fixture settings)', () => {
    const known = new Set(['complete-table.ts', 'missing-kernel.ts', 'wrong-attr-type.ts']);
    expect(errors.filter((e) => !known.has(e.file))).toEqual([]);
  });
});
