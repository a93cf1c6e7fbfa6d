import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SasError } from '@sas/core';
import { writeFileAtomic } from './files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sas-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (...values: number[]) => new Uint8Array(values);
const ioError = (f: () => void): SasError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SasError);
    expect((e as SasError).code).toBe('E_IO');
    return e as SasError;
  }
  throw new Error('expected an E_IO error');
};

describe('writeFileAtomic', () => {
  it('writes the bytes and leaves no temporary file', () => {
    const path = join(dir, 'w.safetensors');
    writeFileAtomic(path, bytes(1, 2, 3));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(readdirSync(dir)).toEqual(['w.safetensors']);
  });

  it('writes strings and chunked data', () => {
    writeFileAtomic(join(dir, 'a.json'), '{"x":1}\n');
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"x":1}\n');
    writeFileAtomic(join(dir, 'b.bin'), [bytes(1), bytes(2, 3), bytes()]);
    expect([...readFileSync(join(dir, 'b.bin'))]).toEqual([1, 2, 3]);
  });

  it('refuses to overwrite an existing file without force, leaving it intact', () => {
    const path = join(dir, 'report.json');
    writeFileSync(path, 'original');
    const e = ioError(() => writeFileAtomic(path, 'new'));
    expect(e.message).toBe(`${path}: file exists (use --force to overwrite)`);
    expect(readFileSync(path, 'utf8')).toBe('original');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('replaces an existing file with force', () => {
    const path = join(dir, 'report.json');
    writeFileSync(path, 'original');
    writeFileAtomic(path, 'new', { force: true });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('removes the temporary file and keeps the old content when writing fails half-way', () => {
    const path = join(dir, 'model.onnx');
    writeFileSync(path, 'original');
    function* failing() {
      yield bytes(1, 2, 3);
      throw new Error('serializer ran out of memory');
    }
    const e = ioError(() => writeFileAtomic(path, failing(), { force: true }));
    expect(e.message).toBe(`${path}: cannot write (Error: serializer ran out of memory)`);
    expect(readFileSync(path, 'utf8')).toBe('original');
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('creates nothing when writing a new file fails half-way', () => {
    const path = join(dir, 'new.bin');
    function* failing() {
      yield bytes(9);
      throw new Error('disk full');
    }
    ioError(() => writeFileAtomic(path, failing()));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never clobbers a file that appears while it writes (no --force)', () => {
    const path = join(dir, 'race.bin');
    function* racing() {
      yield bytes(1);
      writeFileSync(path, 'written by someone else meanwhile');
    }
    const e = ioError(() => writeFileAtomic(path, racing()));
    expect(e.message).toBe(`${path}: file exists (use --force to overwrite)`);
    expect(readFileSync(path, 'utf8')).toBe('written by someone else meanwhile');
    expect(readdirSync(dir)).toEqual(['race.bin']);
  });

  it('names the file when its directory is missing or the path is a directory', () => {
    const missing = join(dir, 'nope', 'x.bin');
    expect(ioError(() => writeFileAtomic(missing, bytes(1))).message).toBe(`${missing}: cannot write: directory ${join(dir, 'nope')} does not exist`);
    mkdirSync(join(dir, 'sub'));
    expect(ioError(() => writeFileAtomic(join(dir, 'sub'), bytes(1), { force: true })).message).toBe(`${join(dir, 'sub')}: cannot write: it is a directory`);
    expect(existsSync(join(dir, 'sub'))).toBe(true);
  });
});
