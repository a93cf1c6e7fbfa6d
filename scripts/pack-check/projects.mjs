// Fresh npm projects outside the workspace, installed from the packed tarballs
// and, for everything else, from the npm registry, as a user's would be.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, run } from './shell.mjs';

const PROJECT_FILES = new URL('./project/', import.meta.url);

/** Creates an empty ES-module npm project in `dir`, with the given files from ./project copied in. */
export function newProject(dir, files = []) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'sas-user', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  for (const file of files) copyFileSync(new URL(file, PROJECT_FILES), join(dir, file));
  return dir;
}

/** `npm install` in `dir`, npm's defaults unless `extraArgs` says otherwise; returns the seconds it took. */
export function npmInstall(dir, specs, extraArgs = []) {
  const start = performance.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...extraArgs, ...specs], { cwd: dir, timeoutSeconds: 900 });
  return (performance.now() - start) / 1000;
}

/**
 * What npm's lockfile says it installed: every package (path → entry) and
 * those that have an install script, which npm runs by default (it flags
 * `hasInstallScript` for preinstall/install/postinstall and for a
 * `binding.gyp` that node-gyp would build).
 */
export function lockfile(dir) {
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
  const entries = Object.entries(lock.packages).filter(([path]) => path !== '');
  return {
    entries,
    withInstallScripts: entries.filter(([, e]) => e.hasInstallScript).map(([path]) => path),
    names: entries.map(([path]) => path.replace(/^.*node_modules\//, '')),
  };
}

/**
 * Every `@sas/*` package in the install came from one of our tarballs (a
 * `file:` resolution), none from the registry, and only once.
 */
export function checkOwnPackagesFromTarballs(dir) {
  const { entries } = lockfile(dir);
  const own = entries.filter(([path]) => /node_modules\/@sas\//.test(path));
  const fromElsewhere = own.filter(([, e]) => !String(e.resolved ?? '').startsWith('file:'));
  check(fromElsewhere.length === 0, () => `${dir}: @sas packages not from our tarballs: ${fromElsewhere.map(([p, e]) => `${p} (${e.resolved})`).join(', ')}`);
  const nested = own.filter(([path]) => path.split('node_modules/').length > 2);
  check(nested.length === 0, () => `${dir}: @sas packages installed twice (nested copies: ${nested.map(([p]) => p).join(', ')})`);
  return own.length;
}
