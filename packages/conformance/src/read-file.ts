// Reading files named by users or by data without trusting them: only regular
// files (a FIFO would block forever, /dev/zero never ends), of a bounded size,
// and a safetensors file's size checked against its header before its data is read.

import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parseSafetensors, safetensorsDescribedSize, safetensorsHeaderLength, SasError, type SafetensorsContents, type SasErrorCode } from '@sas/core';

/** Options of `readRegularFile` and `readSafetensorsFile`. */
export interface ReadFileOptions {
  /** What the file is, for messages ("fixture manifest", "layer configuration"). */
  readonly what: string;
  /** The code of file-system errors (default `E_IO`). */
  readonly code?: SasErrorCode;
  /** Largest size accepted, in bytes (default: unlimited for safetensors, which its header bounds; 16 MiB otherwise). */
  readonly maxBytes?: number;
}

const DEFAULT_MAX_TEXT_BYTES = 16 * 1024 * 1024;
// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. Absent on Windows (no FIFOs there).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a whole regular file, refusing anything else (a directory, a FIFO, a
 * device such as /dev/zero, a socket) and files over `maxBytes`, before
 * reading a byte. Errors are one line naming the path.
 *
 * @example
 * ```ts
 * import { readRegularFile } from '@sas/conformance';
 * const text = new TextDecoder().decode(readRegularFile('config.json', { what: 'layer configuration', maxBytes: 1 << 20 }));
 * readRegularFile('/dev/zero', { what: 'layer configuration' }); // throws E_IO: /dev/zero: not a regular file (a character device)
 * ```
 */
export function readRegularFile(path: string, options: ReadFileOptions): Uint8Array {
  return withRegularFile(path, options, (fd, stats) => {
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_TEXT_BYTES;
    if (stats.size > maxBytes) throw new SasError(options.code ?? 'E_IO', `${path}: ${stats.size} bytes, more than the ${maxBytes} a ${options.what} may have`);
    return readExactly(fd, 0, stats.size, path, options);
  });
}

/**
 * Reads a safetensors file without trusting it: a regular file only; its
 * header length checked against the file's size, then its header parsed and
 * checked, and the file's size compared with the size the header describes,
 * all before the data is read. A file longer than its header says (a huge
 * file behind a small header) is refused without reading its data.
 *
 * @example
 * ```ts
 * import { readSafetensorsFile } from '@sas/conformance';
 * const { tensors } = readSafetensorsFile('weights.safetensors', { what: 'weight file' });
 * ```
 */
export function readSafetensorsFile(path: string, options: ReadFileOptions): SafetensorsContents {
  return withRegularFile(path, options, (fd, stats) => {
    const size = stats.size;
    if (options.maxBytes !== undefined && size > options.maxBytes)
      throw new SasError(options.code ?? 'E_IO', `${path}: ${size} bytes, more than the ${options.maxBytes} a ${options.what} may have`);
    const first8 = readExactly(fd, 0, Math.min(8, size), path, options);
    const headerLength = safetensorsHeaderLength(first8, size, path);
    const prefix = new Uint8Array(8 + headerLength);
    prefix.set(first8);
    prefix.set(readExactly(fd, 8, headerLength, path, options), 8);
    const described = safetensorsDescribedSize(prefix, size, path);
    if (described !== size)
      throw new SasError(
        'E_SAFETENSORS',
        `${path}: file is ${size} bytes but its header describes ${described} (8 + ${headerLength} header + ${described - 8 - headerLength} data); refused before reading the rest`,
      );
    const bytes = new Uint8Array(size);
    bytes.set(prefix);
    bytes.set(readExactly(fd, prefix.length, size - prefix.length, path, options), prefix.length);
    return parseSafetensors(bytes, path);
  });
}

function withRegularFile<T>(path: string, options: ReadFileOptions, read: (fd: number, stats: Stats) => T): T {
  const code = options.code ?? 'E_IO';
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw new SasError(code, `${path}: cannot read the ${options.what} (${firstLine(e)})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new SasError(code, `${path}: not a regular file (${kindOf(stats)}); the ${options.what} must be one`);
    return read(fd, stats);
  } finally {
    closeSync(fd);
  }
}

/** `length` bytes at `position`; a file that shrank meanwhile is an error, not a short read. */
function readExactly(fd: number, position: number, length: number, path: string, options: ReadFileOptions): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(fd, out, done, length - done, position + done);
      if (n === 0) throw new Error(`the file ended after ${position + done} bytes while being read`);
      done += n;
    }
  } catch (e) {
    if (e instanceof SasError) throw e;
    throw new SasError(options.code ?? 'E_IO', `${path}: cannot read the ${options.what} (${firstLine(e)})`);
  }
  return out;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/**
 * Refuses a file that resolves, through symlinks, outside `root`: a fixture
 * manifest names files inside its directory, and a symlink must not lead
 * elsewhere. `what` names the file in the message.
 *
 * @example
 * ```ts
 * import { checkInsideDirectory } from '@sas/conformance';
 * checkInsideDirectory('/fixtures/link.safetensors', '/fixtures', "the file of case 'x'"); // throws E_FIXTURE if the link leads out
 * ```
 */
export function checkInsideDirectory(path: string, root: string, what: string): void {
  let real: string;
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(path);
  } catch (e) {
    throw new SasError('E_FIXTURE', `${path}: cannot read ${what} (${firstLine(e)})`);
  }
  const rel = relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new SasError('E_FIXTURE', `${path}: ${what} resolves to ${real}, outside the fixture directory ${realRoot}`);
}
