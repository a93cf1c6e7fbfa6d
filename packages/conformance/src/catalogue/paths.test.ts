// Hostile input, class 1: paths that come from data. A manifest's `file` stays
// inside its directory (symlinks included), only regular files are read, and a
// file's size is checked against its header before its data is read: a FIFO, a
// device or /dev/zero is a clean refusal, never a hang or a gigabyte read.

import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReferenceBackend, referenceProvider, serializeSafetensors, tensor } from '@sas/core';
import {
  bundledFixturesDir,
  bundledModelFixturesDir,
  loadCaseTensors,
  loadFixtureSet,
  loadModelCaseTensors,
  loadModelFixtureSet,
  readRegularFile,
  readSafetensorsFile,
  runConformance,
} from '../index.js';
import { catalogue, re, sas } from './record.js';

const { expectError, record } = catalogue('paths');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sas-paths-'));
  dirs.push(d);
  return d;
}

const bundled = bundledFixturesDir();
const manifest = JSON.parse(readFileSync(join(bundled, 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
const tinyEntry = manifest.cases.find((c) => c.name === 'sas-tiny')!;

/** A fixture directory whose one case (sas-tiny's configuration) names `file`. */
function fixtureNaming(file: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases: [{ ...tinyEntry, file }] }));
  return dir;
}

const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
/** A test that needs FIFOs: skipped, saying so, where mkfifo is missing (Windows). */
const itWithFifo = (name: string, fn: () => unknown) => (hasMkfifo ? it(name, fn) : it.skip(`${name} — skipped: mkfifo is not available here`, () => {}));
function fifo(path: string): string {
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

describe('catalogue: paths from data — a manifest file stays inside its directory', () => {
  const escapes: [string, string][] = [
    ['a parent-directory escape', '../outside.safetensors'],
    ['a deeper escape', 'sub/../../outside.safetensors'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows drive path', 'C:\\Windows\\win.ini'],
    ['a backslash escape', '..\\outside.safetensors'],
    ['a URL with a scheme', 'https://example.com/x.safetensors'],
    ['a protocol-relative URL', '//example.com/x.safetensors'],
    ['a NUL byte', 'sas-tiny.safetensors\u0000.txt'],
  ];
  for (const [situation, file] of escapes) {
    it(`refuses ${situation} when the manifest is read`, () =>
      expectError(
        `manifest file: ${situation}`,
        'E_FIXTURE',
        /^\S+manifest\.json: case 0 \('sas-tiny'\): "file" must be a relative path inside the fixture directory, got '.+'$/,
        () => loadFixtureSet(fixtureNaming(file)),
      ));
  }

  it('refuses a symlink inside the directory that points outside it, naming where it leads', async () => {
    const outside = tempDir();
    copyFileSync(join(bundled, 'sas-tiny.safetensors'), join(outside, 'secret.safetensors'));
    const dir = fixtureNaming('sas-tiny.safetensors');
    symlinkSync(join(outside, 'secret.safetensors'), join(dir, 'sas-tiny.safetensors'));
    const [c] = loadFixtureSet(dir).cases;
    await expectError(
      'manifest file: a symlink leading outside the directory',
      'E_FIXTURE',
      `${join(dir, 'sas-tiny.safetensors')}: the file of case 'sas-tiny' resolves to ${join(outside, 'secret.safetensors')}, outside the fixture directory ${dir}`,
      () => loadCaseTensors(c),
    );
    // The runner turns it into the case's error; nothing of the outside file is compared.
    const report = await runConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64'), fixturesDir: dir });
    expect(report.passed).toBe(false);
    expect(report.cases[0].checks).toEqual([]);
  });

  it('refuses a symlinked subdirectory that leads outside', async () => {
    const outside = tempDir();
    copyFileSync(join(bundled, 'sas-tiny.safetensors'), join(outside, 'sas-tiny.safetensors'));
    const dir = fixtureNaming('sub/sas-tiny.safetensors');
    symlinkSync(outside, join(dir, 'sub'));
    await expectError('manifest file: a symlinked directory leading outside', 'E_FIXTURE', /resolves to .+, outside the fixture directory/, () =>
      loadCaseTensors(loadFixtureSet(dir).cases[0]),
    );
  });

  it('follows a symlink that stays inside the directory', async () => {
    const dir = fixtureNaming('link.safetensors');
    mkdirSync(join(dir, 'data'));
    copyFileSync(join(bundled, 'sas-tiny.safetensors'), join(dir, 'data', 'sas-tiny.safetensors'));
    symlinkSync(join('data', 'sas-tiny.safetensors'), join(dir, 'link.safetensors'));
    const report = await runConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64'), fixturesDir: dir, grads: true });
    expect(report.passed).toBe(true);
  });
});

describe('catalogue: paths from data — model fixture manifests get the same checks', () => {
  const models = bundledModelFixturesDir();
  const modelManifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  const first = modelManifest.cases[0];
  const modelDirNaming = (file: string) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...modelManifest, cases: [{ ...first, file }] }));
    return dir;
  };

  it('refuses a file escaping the directory', () =>
    expectError(
      'model manifest file: a parent-directory escape',
      'E_FIXTURE',
      /^\S+manifest\.json: case 0 \('[^']+'\): "file" must be a relative path inside the fixture directory, got '\.\.\/x\.safetensors'$/,
      () => loadModelFixtureSet(modelDirNaming('../x.safetensors')),
    ));

  it('refuses a symlink leading outside, and reads a well-formed case', async () => {
    const outside = tempDir();
    copyFileSync(join(models, first.file as string), join(outside, 'elsewhere.safetensors'));
    const dir = modelDirNaming('case.safetensors');
    symlinkSync(join(outside, 'elsewhere.safetensors'), join(dir, 'case.safetensors'));
    await expectError('model case file: a symlink leading outside', 'E_FIXTURE', /resolves to .+elsewhere\.safetensors, outside the fixture directory/, () =>
      loadModelCaseTensors(loadModelFixtureSet(dir).cases[0]),
    );
    expect(Object.keys(loadModelCaseTensors(loadModelFixtureSet(models).cases[0])).length).toBeGreaterThan(0);
  });

  itWithFifo('refuses a FIFO as the model manifest and as a case file, without blocking', async () => {
    const dir = tempDir();
    fifo(join(dir, 'manifest.json'));
    await expectError('model manifest is a FIFO', 'E_FIXTURE', /manifest\.json: not a regular file \(a FIFO\); the model fixture manifest must be one$/, () =>
      loadModelFixtureSet(dir),
    );
    const other = modelDirNaming('case.safetensors');
    fifo(join(other, 'case.safetensors'));
    await expectError('model case file is a FIFO', 'E_FIXTURE', /case\.safetensors: not a regular file \(a FIFO\)/, () =>
      loadModelCaseTensors(loadModelFixtureSet(other).cases[0]),
    );
  });
});

describe('catalogue: paths from data — only regular files, sized by their header', () => {
  it('refuses a directory and a device where a file is expected, without reading', async () => {
    await expectError('weight file is /dev/zero', 'E_IO', '/dev/zero: not a regular file (a character device); the weight file must be one', () =>
      readSafetensorsFile('/dev/zero', { what: 'weight file' }),
    );
    await expectError('configuration is /dev/zero', 'E_IO', '/dev/zero: not a regular file (a character device); the layer configuration must be one', () =>
      readRegularFile('/dev/zero', { what: 'layer configuration' }),
    );
    const dir = tempDir();
    await expectError('case file is a directory', 'E_FIXTURE', `${dir}: not a regular file (a directory); the file of case 'x' must be one`, () =>
      readSafetensorsFile(dir, { what: "file of case 'x'", code: 'E_FIXTURE' }),
    );
  });

  itWithFifo('refuses a FIFO as a case file, as a manifest and as a weight file, without blocking', async () => {
    const dir = fixtureNaming('sas-tiny.safetensors');
    fifo(join(dir, 'sas-tiny.safetensors'));
    await expectError(
      'case file is a FIFO',
      'E_FIXTURE',
      `${join(dir, 'sas-tiny.safetensors')}: not a regular file (a FIFO); the file of case 'sas-tiny' must be one`,
      () => loadCaseTensors(loadFixtureSet(dir).cases[0]),
    );
    const other = tempDir();
    fifo(join(other, 'manifest.json'));
    await expectError('manifest is a FIFO', 'E_FIXTURE', `${join(other, 'manifest.json')}: not a regular file (a FIFO); the fixture manifest must be one`, () =>
      loadFixtureSet(other),
    );
  });

  it('refuses a file far larger than its header describes before reading its data (a 1 GiB sparse file)', async () => {
    const dir = fixtureNaming('sas-tiny.safetensors');
    const path = join(dir, 'sas-tiny.safetensors');
    copyFileSync(join(bundled, 'sas-tiny.safetensors'), path);
    const real = readFileSync(path);
    const headerLength = Number(real.readBigUInt64LE(0));
    truncateSync(path, 2 ** 30); // sparse: no disk used, but reading it whole would allocate 1 GiB
    await expectError(
      'file longer than its header describes',
      'E_SAFETENSORS',
      `${path}: file is 1073741824 bytes but its header describes ${real.length} (8 + ${headerLength} header + ${real.length - 8 - headerLength} data); refused before reading the rest`,
      () => loadCaseTensors(loadFixtureSet(dir).cases[0]),
    );
  });

  it('refuses trailing bytes after the data, and a header claiming more than the file holds', async () => {
    const dir = tempDir();
    const bytes = serializeSafetensors({ w: tensor([1, 2], [2]) });
    const path = join(dir, 'w.safetensors');
    writeFileSync(path, Buffer.concat([bytes, Buffer.from('junk')]));
    await expectError('trailing bytes after the data', 'E_SAFETENSORS', /^\S+w\.safetensors: file is \d+ bytes but its header describes \d+ /, () =>
      readSafetensorsFile(path, { what: 'weight file' }),
    );
    const claim = Buffer.from(bytes);
    claim.writeBigUInt64LE(2n ** 62n, 0);
    writeFileSync(path, claim);
    await expectError(
      'header length claimed beyond the file',
      'E_SAFETENSORS',
      `${path}: header claims 4611686018427387904 bytes but the file has only ${bytes.length - 8} after the 8-byte length`,
      () => readSafetensorsFile(path, { what: 'weight file' }),
    );
  });

  it('reads a well-formed file whole', () => {
    const contents = readSafetensorsFile(join(bundled, 'sas-tiny.safetensors'), { what: 'weight file' });
    expect(contents.tensors.get('input.query')?.shape).toEqual([1, 4, 2, 4]);
  });

  it('refuses an oversized text file before reading it', async () => {
    const dir = tempDir();
    const path = join(dir, 'config.json');
    closeSync(openSync(path, 'w'));
    truncateSync(path, 2 * 1024 * 1024);
    await expectError('configuration over its size limit', 'E_IO', `${path}: 2097152 bytes, more than the 1048576 a layer configuration may have`, () =>
      readRegularFile(path, { what: 'layer configuration', maxBytes: 1024 * 1024 }),
    );
  });
});

describe('catalogue: paths from data — the CLI refuses cleanly (one line, exit 2, no hang)', () => {
  const config = JSON.stringify({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true });

  it('export --weights /dev/zero and --config /dev/zero', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), config);
    for (const [args, line] of [
      [['--weights', '/dev/zero', '--config', join(dir, 'c.json')], 'sas: /dev/zero: not a regular file (a character device); the weight file must be one'],
      [['--weights', join(dir, 'w'), '--config', '/dev/zero'], 'sas: /dev/zero: not a regular file (a character device); the layer configuration must be one'],
    ] as const) {
      const r = sas(['export', '--format', 'onnx', ...args, '--out', join(dir, 'o.onnx')], { timeoutMs: 20_000 });
      expect(r.signal, 'the command hung').toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      record({ code: 'E_IO', situation: `CLI export: ${args.join(' ')}`, message: line });
    }
  });

  itWithFifo('export --weights FIFO, --config FIFO; conformance and demo with a FIFO case file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), config);
    const pipe = fifo(join(dir, 'pipe'));
    for (const args of [
      ['export', '--format', 'onnx', '--weights', pipe, '--config', join(dir, 'c.json'), '--out', join(dir, 'o.onnx')],
      ['export', '--format', 'onnx', '--weights', join(dir, 'w'), '--config', pipe, '--out', join(dir, 'o.onnx')],
    ]) {
      const r = sas(args, { timeoutMs: 20_000 });
      expect(r.signal, 'the command hung').toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^sas: ${re(pipe)}: not a regular file \\(a FIFO\\); the (weight file|layer configuration) must be one\\n$`));
    }
    const fixtures = fixtureNaming('sas-tiny.safetensors');
    fifo(join(fixtures, 'sas-tiny.safetensors'));
    const c = sas(['conformance', '--backend', 'reference', '--fixtures', fixtures], { timeoutMs: 20_000 });
    expect(c.signal, 'the command hung').toBeNull();
    expect(c.code).toBe(1);
    expect(c.stdout).toContain(`error: ${join(fixtures, 'sas-tiny.safetensors')}: not a regular file (a FIFO)`);
    const d = sas(['demo', '--backend', 'reference', '--fixtures', fixtures, '--case', 'sas-tiny'], { timeoutMs: 20_000 });
    expect(d.signal, 'the command hung').toBeNull();
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/not a regular file \(a FIFO\)/);
  });

  it('conformance with a manifest escaping its directory', () => {
    const dir = fixtureNaming('../../etc/passwd');
    const r = sas(['conformance', '--backend', 'reference', '--fixtures', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `sas: ${join(dir, 'manifest.json')}: case 0 ('sas-tiny'): "file" must be a relative path inside the fixture directory, got '../../etc/passwd'\n`,
    );
  });
});
