// The closing line agrees with vitest's exit code: a real vitest, spawned on
// throwaway projects holding each way a run can fail without a failed test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../vitest.config.js';

const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const reporter = fileURLToPath(new URL('./summary-reporter.ts', import.meta.url));
const CLOSING = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs vitest on a new project holding `files` (globals on, so the files need no imports), with the repo's reporters. */
function runProject(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'sas-summary-'));
  dirs.push(dir);
  const reporters = JSON.stringify(['default', reporter]);
  writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { globals: true, include: ['*.test.js'], reporters: ${reporters} } };\n`);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
  const r = spawnSync(process.execPath, [vitestBin, 'run', '--root', dir], { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, timeout: 120_000 });
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines[lines.length - 1];
  const m = CLOSING.exec(last);
  return { code: r.status, stdout: r.stdout, last, counts: m ? { passed: +m[1], failed: +m[2], skipped: +m[3] } : undefined };
}

describe('summary reporter: the closing line agrees with the exit code', () => {
  it('counts tests behind a failed beforeAll, a failed import, a throwing suite body and a failed afterAll as failed', () => {
    const r = runProject({
      'hook.test.js': `describe('hooked', () => {
  beforeAll(() => { throw new Error('hook broke'); });
  it('one', () => {});
  it('two', () => {});
});
it('fine', () => {});
it.skip('skipped on purpose', () => {});
`,
      'import.test.js': `throw new Error('file broke');\n`,
      'suite.test.js': `describe('s', () => { throw new Error('suite body broke'); });\nit('never collected', () => {});\n`,
      'after.test.js': `afterAll(() => { throw new Error('afterAll broke'); });\nit('ok', () => {});\n`,
    });
    expect(r.code, r.stdout).toBe(1);
    expect(r.counts, r.last).toEqual({ passed: 2, failed: 5, skipped: 1 });
    expect(r.stdout).toContain('hook.test.js > hooked > one — did not run: hook broke');
    expect(r.stdout).toContain('import.test.js — file broke');
    expect(r.stdout).toContain('suite.test.js — suite body broke');
    expect(r.stdout).toContain('after.test.js — afterAll broke');
    expect(r.stdout).toContain('skipped (1):\n  hook.test.js > skipped on purpose');
  });

  it('a passing run exits 0 with 0 failed, and lists each skip with its reason', () => {
    const r = runProject({
      'ok.test.js': `it('adds', () => { if (1 + 1 !== 2) throw new Error('no'); });
it('needs a GPU', (ctx) => { ctx.skip('no GPU here'); });
it.todo('later');
`,
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.counts, r.last).toEqual({ passed: 1, failed: 0, skipped: 2 });
    expect(r.stdout).toContain('ok.test.js > needs a GPU — no GPU here');
  });

  it('a failed test is one failure', () => {
    const r = runProject({ 'bad.test.js': `it('breaks', () => { throw new Error('wrong'); });\nit('fine', () => {});\n` });
    expect(r.code).toBe(1);
    expect(r.counts).toEqual({ passed: 1, failed: 1, skipped: 0 });
  });

  it('a run with no test files fails, and says so', () => {
    const r = runProject({ 'README.txt': 'no tests here\n' });
    expect(r.code).not.toBe(0);
    expect(r.counts, r.stdout).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it('a test name cannot forge the closing line: it stays last, and its lists escape control characters', () => {
    const r = runProject({
      'forge.test.js': `it.skip('x\\n999 passed, 0 failed, 0 skipped', () => {});\nit('breaks', () => { throw new Error('wrong'); });\n`,
    });
    expect(r.code).toBe(1);
    expect(r.counts).toEqual({ passed: 0, failed: 1, skipped: 1 });
    // vitest's own reporter prints the name raw (a line of its own); ours escapes it, and the real line comes last.
    expect(r.stdout).toContain('skipped (1):\n  forge.test.js > x\\n999 passed, 0 failed, 0 skipped\n');
  });

  it("the repository's config lists the summary reporter last, so its line is the last vitest prints", () => {
    const reporters = (config as { test?: { reporters?: unknown[] } }).test?.reporters ?? [];
    expect(reporters[reporters.length - 1]).toBe('./tools/summary-reporter.ts');
  });
});
