import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { SasError } from '@sas/core';
import { discardTempFile, settleSignals, trackTempFile, untrackTempFile } from './temp-files.js';

/** Options of `writeFileAtomic` and `writeFilesAtomic`. */
export interface WriteFileAtomicOptions {
  /** Replace an existing file (the CLI's `--force`); without it an existing file is an `E_IO` error. */
  readonly force?: boolean;
}

/** Bytes, text, or chunks of bytes (a serializer that may fail half-way). */
export type FileData = Uint8Array | string | Iterable<Uint8Array>;

/**
 * Writes a file so that it is either entirely there or not changed at all:
 * the bytes go to a temporary file in the same directory, are flushed to
 * disk, then moved into place in one step. An existing file is refused unless
 * `force` (and even then it is replaced only once the new content is
 * complete); a target that exists but is not a regular file (a directory, a
 * FIFO, a device) is always refused. On any failure the temporary file is
 * removed and the error is an `E_IO` naming the file; so is it on SIGINT,
 * SIGTERM or SIGHUP. `data` may be chunks, so a writer that fails half-way
 * leaves nothing behind.
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
export function writeFileAtomic(path: string, data: FileData, options: WriteFileAtomicOptions = {}): void {
  writeFilesAtomic([{ path, data }], options);
}

/**
 * Writes several files all or nothing (a graph and its weights): every target
 * is checked, then every file written to its temporary name and flushed, and
 * only then are they moved into place. If any target is refused or any write
 * fails, none of the files is changed; if a move fails half-way, the files
 * already moved are taken back (a replaced file is restored).
 *
 * @example
 * ```ts
 * import { writeFilesAtomic } from '@sas/conformance';
 * writeFilesAtomic([{ path: 'sas.json', data: '{}' }, { path: 'sas.safetensors', data: new Uint8Array(8) }]);
 * ```
 */
export function writeFilesAtomic(files: readonly { readonly path: string; readonly data: FileData }[], options: WriteFileAtomicOptions = {}): void {
  checkWriteTargets(
    files.map((f) => f.path),
    options,
  );
  const temps: { path: string; temp: string }[] = [];
  try {
    for (const f of files) temps.push({ path: f.path, temp: writeTemp(f.path, f.data) });
    placeAll(temps, options);
  } finally {
    for (const t of temps) discardTempFile(t.temp);
    settleSignals();
  }
}

/**
 * Refuses, before anything is written, targets that cannot be written: a
 * missing directory, a path that exists without `force`, or one that exists
 * and is not a regular file (never replaced, even with `force`: renaming over
 * /dev/null as root would replace the device).
 *
 * @example
 * ```ts
 * import { checkWriteTargets } from '@sas/conformance';
 * checkWriteTargets(['out/sas.json', 'out/sas.safetensors'], { force: false }); // throws E_IO naming the first refused path
 * ```
 */
export function checkWriteTargets(paths: readonly string[], options: WriteFileAtomicOptions = {}): void {
  for (const path of paths) {
    const target = resolve(path);
    const dir = dirname(target);
    const dirKind = existingKind(dir);
    if (dirKind === undefined) throw new SasError('E_IO', `${path}: cannot write: directory ${dir} does not exist`);
    if (dirKind !== 'a directory') throw new SasError('E_IO', `${path}: cannot write: ${dir} is ${dirKind}, not a directory`);
    const kind = existingKind(target);
    if (kind === undefined) continue;
    if (kind === 'a directory') throw new SasError('E_IO', `${path}: cannot write: it is a directory`);
    if (kind !== 'a regular file') throw new SasError('E_IO', `${path}: cannot write: it exists and is ${kind}, not a regular file`);
    if (!options.force) throw new SasError('E_IO', `${path}: file exists (use --force to overwrite)`);
  }
}

function writeTemp(path: string, data: FileData): string {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    trackTempFile(temp);
    fd = openSync(temp, 'wx', 0o644);
    for (const chunk of chunksOf(data)) writeAll(fd, chunk);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    return temp;
  } catch (e) {
    if (fd !== undefined) closeQuietly(fd);
    discardTempFile(temp);
    throw ioError(path, e);
  }
}

/** Moves every temp file into place; on a failure, takes back those already moved. */
function placeAll(temps: readonly { path: string; temp: string }[], options: WriteFileAtomicOptions): void {
  const placed: { target: string; backup?: string }[] = [];
  try {
    for (const { path, temp } of temps) {
      const target = resolve(path);
      const backup = options.force && temps.length > 1 && existsSync(target) ? keepBackup(target) : undefined;
      placed.push({ target, backup });
      if (options.force) renameSync(temp, target);
      else placeWithoutClobbering(temp, target);
      untrackTempFile(temp);
      syncDirectory(dirname(target));
    }
  } catch (e) {
    const failed = placed.pop(); // the one that failed: nothing of ours is in place there
    if (failed?.backup) discardTempFile(failed.backup);
    for (const p of placed.reverse()) restore(p.target, p.backup);
    throw ioError(temps[placed.length]?.path ?? temps[0].path, e);
  }
  for (const p of placed) if (p.backup) discardTempFile(p.backup);
}

/** A hard link to the file about to be replaced, so a failed multi-file write can put it back. */
function keepBackup(target: string): string | undefined {
  const backup = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.bak`);
  try {
    trackTempFile(backup);
    linkSync(target, backup);
    return backup;
  } catch {
    discardTempFile(backup);
    return undefined; // no hard links here: the replaced file cannot be restored, but the others still can
  }
}

function restore(target: string, backup: string | undefined): void {
  try {
    if (backup) {
      renameSync(backup, target);
      untrackTempFile(backup);
    } else unlinkSync(target);
  } catch {
    // best effort: the original error is the one to report
  }
}

function ioError(path: string, e: unknown): SasError {
  if (e instanceof SasError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EEXIST') return new SasError('E_IO', `${path}: file exists (use --force to overwrite)`);
  const message = String(err.message).split('\n')[0];
  const label = err.code ?? err.name;
  return new SasError('E_IO', `${path}: cannot write (${message.startsWith(`${label}:`) ? message : `${label}: ${message}`})`);
}

/** What is at `path` (a dangling symlink counts as a file to refuse), or undefined. */
function existingKind(path: string): string | undefined {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    try {
      lstatSync(path);
      return 'a dangling symbolic link';
    } catch {
      return undefined;
    }
  }
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function* chunksOf(data: FileData): Iterable<Uint8Array> {
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

/** Flushes the directory entry of a rename, where the platform allows it (best effort: not on Windows). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // directories cannot be opened or synced on every platform
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already failing: the original error matters more
  }
}
