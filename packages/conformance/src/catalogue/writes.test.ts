// Hostile input, class 6: writing files. File-system errors are one-line E_IO
// errors naming the path (never "internal error"); a target that exists but is
// not a regular file is never replaced; a two-file export writes nothing when
// either target is refused; and an interrupted write leaves no temporary file.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFilesAtomic } from '../files.js';
import { catalogue, REPO_ROOT, sas } from './record.js';

const { expectError, record } = catalogue('writes');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sas-writes-'));
  dirs.push(d);
  return d;
}
const hasMkfifo = spawnSync('mkfifo', ['--version']).status === 0;
const exportTo = (format: string, out: string, ...more: string[]) => sas(['export', '--format', format, '--fixture', 'sas-tiny', '--out', out, ...more]);

describe('catalogue: export file-system errors are one line naming the path', () => {
  it('a directory that does not exist, a file where a directory should be, a directory as the target', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    mkdirSync(join(dir, 'sub'));
    for (const [out, line] of [
      [join(dir, 'missing', 'o.onnx'), `sas: ${join(dir, 'missing', 'o.onnx')}: cannot write: directory ${join(dir, 'missing')} does not exist`],
      [join(dir, 'file', 'o.onnx'), `sas: ${join(dir, 'file', 'o.onnx')}: cannot write: ${join(dir, 'file')} is a regular file, not a directory`],
      [join(dir, 'sub'), `sas: ${join(dir, 'sub')}: cannot write: it is a directory`],
    ] as const) {
      const r = exportTo('onnx', out, '--force');
      expect(r.code, out).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      record({ code: 'E_IO', situation: 'CLI export: target cannot be written', message: line.replace(dir, 'DIR') });
    }
  });

  it('a file system that refuses the write (/proc): E_IO, not an internal error', () => {
    const r = exportTo('onnx', '/proc/sas-export.onnx');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sas: \/proc\/sas-export\.onnx: cannot write \((ENOENT|EACCES|EPERM|EROFS): [^\n]+\)\n$/);
    expect(r.stderr).not.toContain('internal error');
    record({ code: 'E_IO', situation: 'CLI export: the file system refuses the write', message: r.stderr.trim() });
  });

  (hasMkfifo ? it : it.skip)(`an existing FIFO is never replaced, even with --force${hasMkfifo ? '' : ' — skipped: mkfifo is not available here'}`, () => {
    const dir = tempDir();
    spawnSync('mkfifo', [join(dir, 'o.onnx')]);
    const r = exportTo('onnx', join(dir, 'o.onnx'), '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sas: ${join(dir, 'o.onnx')}: cannot write: it exists and is a FIFO, not a regular file\n`);
  });

  it('/dev/null as the target is refused even with --force (as root a rename would replace the device)', () =>
    expectError('write target is a device', 'E_IO', '/dev/null: cannot write: it exists and is a character device, not a regular file', () =>
      writeFilesAtomic([{ path: '/dev/null', data: 'x' }], { force: true }),
    ));
});

describe('catalogue: a two-file export writes nothing when either target is refused', () => {
  it('the weights file exists, or is a directory; the graph file exists (no --force)', () => {
    for (const [blocker, make] of [
      ['g.safetensors', (p: string) => writeFileSync(p, 'old weights')],
      ['g.safetensors', (p: string) => mkdirSync(p)],
      ['g.json', (p: string) => writeFileSync(p, 'old graph')],
    ] as const) {
      const dir = tempDir();
      make(join(dir, blocker));
      const r = exportTo('graph', join(dir, 'g.json'));
      expect(r.code, blocker).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(dir), r.stderr).toEqual([blocker]);
    }
  });

  it('with --force, a directory in place of the weights file: nothing written, the old graph file kept', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'g.json'), 'old graph');
    mkdirSync(join(dir, 'g.safetensors'));
    const r = exportTo('graph', join(dir, 'g.json'), '--force');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sas: ${join(dir, 'g.safetensors')}: cannot write: it is a directory\n`);
    expect(readFileSync(join(dir, 'g.json'), 'utf8')).toBe('old graph');
    expect(readdirSync(dir).sort()).toEqual(['g.json', 'g.safetensors']);
  });

  it('a failure while the second file is written takes back nothing that was written: both old files stay', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'old a');
    writeFileSync(join(dir, 'b'), 'old b');
    function* failing() {
      yield new Uint8Array([1]);
      throw new Error('disk full');
    }
    expect(() =>
      writeFilesAtomic(
        [
          { path: join(dir, 'a'), data: 'new a' },
          { path: join(dir, 'b'), data: failing() },
        ],
        { force: true },
      ),
    ).toThrow(`${join(dir, 'b')}: cannot write (Error: disk full)`);
    expect([readFileSync(join(dir, 'a'), 'utf8'), readFileSync(join(dir, 'b'), 'utf8')]).toEqual(['old a', 'old b']);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b']);
  });
});

describe('catalogue: an interrupted write leaves no temporary file', () => {
  const entry = pathToFileURL(join(REPO_ROOT, 'packages/conformance/dist/files.js')).href;

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} in the middle of a write: the write finishes whole, no temp file is left, the process ends by the signal`, () => {
      if (!existsSync(new URL(entry))) throw new Error(`${entry} is not built (run pnpm build)`);
      const dir = tempDir();
      const target = join(dir, 'big.bin');
      // A serializer producing 40 chunks of 64 KiB that is interrupted after its third chunk
      // (the process signals itself, so the signal lands mid-write on every run). Without a
      // handler Node dies on the spot and the temporary file stays behind.
      const script = `
        import { writeFileAtomic } from ${JSON.stringify(entry)};
        function* chunks() {
          for (let i = 0; i < 40; i++) {
            if (i === 3) process.kill(process.pid, ${JSON.stringify(signal)});
            yield new Uint8Array(65536).fill(i);
          }
        }
        writeFileAtomic(${JSON.stringify(target)}, chunks());
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect({ code: r.status, signal: r.signal }, r.stderr).toEqual({ code: null, signal });
      expect(readdirSync(dir)).toEqual(['big.bin']);
      const written = readFileSync(target);
      expect(written.length).toBe(40 * 65536);
      expect([written[0], written[written.length - 1]]).toEqual([0, 39]);
    });
  }
});
