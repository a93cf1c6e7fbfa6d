// The publishable packages, packed with `pnpm pack`, and what each tarball must hold.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, run } from './shell.mjs';

/** Folders of the workspace packages that are published (not `private`), read from their package.json. */
export function publishablePackages(repo) {
  const dirs = ['packages', 'apps'].flatMap((group) => readdirSync(join(repo, group)).map((name) => join(repo, group, name)));
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true);
}

/** Every `dist/**.js` must come from a source file: a leftover of a moved or deleted source would ship otherwise. */
function checkNoStaleOutput(dir, name) {
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  if (!existsSync(join(dir, 'dist'))) throw new Error(`${name}: no dist/ (run pnpm build)`);
  const stale = walk(join(dir, 'dist'))
    .filter((f) => f.endsWith('.js'))
    .filter((f) => !existsSync(f.replace(`${join(dir, 'dist')}`, join(dir, 'src')).replace(/\.js$/, '.ts')));
  check(
    stale.length === 0,
    () => `${name}: dist/ holds output of no source file (${stale.slice(0, 3).join(', ')}): a stale build; delete dist/ and build again`,
  );
}

const TEST_FILE = /(^|\/)[^/]+\.test\.[cm]?[jt]s$|(^|\/)(test|test-support|contract-test|checks)\//;
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

/** The files an `exports`/`main`/`types`/`bin` entry names (conditions other than the monorepo's `@sas/source`). */
function entryFiles(manifest) {
  const files = [];
  const visit = (value, condition) => {
    if (typeof value === 'string') {
      if (condition !== '@sas/source' && !value.includes('*')) files.push(value);
    } else if (value && typeof value === 'object') for (const [key, inner] of Object.entries(value)) visit(inner, key);
  };
  visit(manifest.exports);
  visit(manifest.main);
  visit(manifest.types);
  visit(manifest.bin);
  return files.map((f) => f.replace(/^\.\//, ''));
}

/**
 * Packs one package into `destination` and checks the tarball as published:
 * README and LICENSE, no tests, every entry point present, the metadata the
 * registry shows (repository, engines, sideEffects, license, public access),
 * no `workspace:` range left, no install script. Returns what was packed.
 */
export function packAndInspect({ dir, manifest }, destination) {
  const name = manifest.name;
  checkNoStaleOutput(dir, name);
  const packed = JSON.parse(run('pnpm', ['pack', '--json', '--pack-destination', destination], { cwd: dir }).stdout);
  const files = packed.files.map((f) => f.path);
  const published = JSON.parse(run('tar', ['-xzOf', packed.filename, 'package/package.json'], { cwd: destination }).stdout);
  check(files.includes('README.md') && files.includes('LICENSE'), `${name}: the tarball lacks README.md or LICENSE`);
  const tests = files.filter((f) => TEST_FILE.test(f));
  check(tests.length === 0, () => `${name}: the tarball holds test files (${tests.slice(0, 3).join(', ')}, …)`);
  const missing = entryFiles(published).filter((f) => !files.includes(f));
  check(missing.length === 0, () => `${name}: package.json names files the tarball lacks: ${missing.join(', ')}`);
  check(typeof published.repository?.url === 'string' && published.repository.directory, `${name}: no repository url and directory`);
  check(published.engines?.node, `${name}: no engines.node`);
  check(published.sideEffects !== undefined, `${name}: no sideEffects field`);
  check(published.license === 'MIT', `${name}: license is not MIT`);
  check(published.publishConfig?.access === 'public', `${name}: publishConfig.access is not public (a scoped package would publish restricted)`);
  const ranges = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.entries(published[field] ?? {}));
  const workspace = ranges.filter(([, range]) => String(range).startsWith('workspace:'));
  check(workspace.length === 0, () => `${name}: workspace ranges left in the packed package.json: ${workspace.map(([n]) => n).join(', ')}`);
  const scripts = INSTALL_SCRIPTS.filter((s) => published.scripts?.[s]);
  check(scripts.length === 0, `${name}: install scripts ${scripts.join(', ')}`);
  return { name, tarball: packed.filename, files: files.length, repository: published.repository.url, manifest: published };
}
