import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readLanguageModel, SasError, type LanguageModel } from '@sas/core';
import { bundledModelFixturesDir } from '../models/node.js';
import { parseGenerationRecord, type GenerationFixture } from './record.js';

/**
 * Reads a MODEL.md checkpoint file (a weights file with `model` and `vocab`
 * metadata, or a `sas train` checkpoint): `readLanguageModel` on the file's
 * bytes; a file that cannot be read is one `E_IO` line naming it.
 *
 * @example
 * ```ts
 * import { readLanguageModelFile } from '@sas/conformance';
 * const model = readLanguageModelFile('models/generation/gen-sas-brown.safetensors');
 * ```
 */
export function readLanguageModelFile(path: string): LanguageModel {
  let bytes: Uint8Array;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('a directory, not a file'), { code: 'EISDIR' });
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'a directory, not a checkpoint file' : (err.code ?? err.message);
    throw new SasError('E_IO', `${path}: cannot read the checkpoint (${why})`);
  }
  return readLanguageModel(bytes, { source: path });
}

/**
 * The generation cases of a fixture directory in MODEL.md's layout: `dir`
 * itself or its `generation/` folder (default: the bundled models), every
 * `*.json` record there with the checkpoint it names. A directory without a
 * record is an `E_FIXTURE` error.
 *
 * @example
 * ```ts
 * import { loadGenerationFixtures } from '@sas/conformance';
 * loadGenerationFixtures().map((f) => f.name); // ['gen-sas-brown']
 * ```
 */
export function loadGenerationFixtures(dir: string = bundledModelFixturesDir()): GenerationFixture[] {
  const root = resolve(dir);
  const nested = join(root, 'generation');
  const folder = isDirectory(nested) ? nested : root;
  let names: string[];
  try {
    names = readdirSync(folder)
      .filter((f) => f.endsWith('.json') && f !== 'manifest.json')
      .sort();
  } catch (e) {
    throw new SasError('E_FIXTURE', `${folder}: cannot list the generation fixtures (${(e as Error).message})`);
  }
  if (names.length === 0) throw new SasError('E_FIXTURE', `${folder}: no generation record (*.json naming a checkpoint) in it`);
  return names.map((name) => {
    const where = join(folder, name);
    let record: unknown;
    try {
      record = JSON.parse(readFileSync(where, 'utf8'));
    } catch (e) {
      throw new SasError('E_FIXTURE', `${where}: not a readable JSON record (${(e as Error).message})`);
    }
    const base = name.slice(0, -'.json'.length);
    return parseGenerationRecord(record, where, (file) => join(folder, file), { name: base, file: `${base}.safetensors` });
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
