import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SasError } from '@sas/core';

/** Options of `writeFileAtomic`. */
export interface WriteFileAtomicOptions {
  /** Replace an existing file (the CLI's `--force`); without it an existing file is an `E_IO` error. */
  readonly force?: boolean;
}

/**
 * Writes a file so that it is either entirely there or not changed at all:
 * the bytes go to a temporary file in the same directory, are flushed to
 * disk, then moved into place in one step. An existing file is refused unless
 * `force` (and even then it is replaced only once the new content is
 * complete). On any failure the temporary file is removed and the error is an
 * `E_IO` naming the file. `data` may be chunks, so a writer that fails
 * half-way leaves nothing behind.
 *
 * @example
 * ```ts
 * import { serializeSafetensors, tensor } from '@sas/core';
 * import { writeFileAtomic } from '@sas/conformance';
 * writeFileAtomic('weights.safetensors', serializeSafetensors({ w: tensor([1, 2], [2]) }));
 * writeFileAtomic('weights.safetensors', new Uint8Array(8));               // throws E_IO: ... exists (use --force to overwrite)
 * writeFileAtomic('weights.safetensors', new Uint8Array(8), { force: true }); // replaced in one step
 * ```
 */
export function writeFileAtomic(path: string, data: Uint8Array | string | Iterable<Uint8Array>, options: WriteFileAtomicOptions = {}): void {
  const target = resolve(path);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new SasError('E_IO', `${path}: cannot write: directory ${dir} does not exist`);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new SasError('E_IO', `${path}: cannot write: it is a directory`);
    if (!options.force) throw new SasError('E_IO', `${path}: file exists (use --force to overwrite)`);
  }
  const temp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', 0o644);
    for (const chunk of chunksOf(data)) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (options.force) renameSync(temp, target);
    else placeWithoutClobbering(temp, target);
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    removeQuietly(temp);
    if (e instanceof SasError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new SasError('E_IO', `${path}: file exists (use --force to overwrite)`);
    throw new SasError('E_IO', `${path}: cannot write (${err.code ?? err.name}: ${String(err.message).split('\n')[0]})`);
  }
}

function* chunksOf(data: Uint8Array | string | Iterable<Uint8Array>): Iterable<Uint8Array> {
  if (typeof data === 'string') yield new TextEncoder().encode(data);
  else if (data instanceof Uint8Array) yield data;
  else yield* data;
}

function writeAll(fd: number, chunk: Uint8Array): void {
  for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
}

/**
 * Moves `temp` to `target` only if `target` does not exist, atomically: a
 * hard link fails with EEXIST when a file appeared since the check, where a
 * rename would silently replace it. File systems without hard links fall back
 * to check-then-rename.
 */
function placeWithoutClobbering(temp: string, target: string): void {
  try {
    linkSync(temp, target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'ENOSYS') throw e;
    if (existsSync(target)) throw Object.assign(new Error('target exists'), { code: 'EEXIST' });
    renameSync(temp, target);
    return;
  }
  unlinkSync(temp);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the original error matters more
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, or already gone
  }
}
