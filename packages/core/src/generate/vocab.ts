// A char model's vocabulary as checkpoints store it: `__metadata__.vocab`, a
// JSON string of the characters in id order (MODEL.md's generation fixture)
// or a JSON array of one-character strings (what `sas train` writes).

import { SasError } from '../errors.js';

/** A character as messages show it: JSON-quoted (so '\n' is visible) with its code point. */
export function showChar(ch: string): string {
  return `${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}

/**
 * Reads a checkpoint's `vocab` metadata: a JSON string (each code point one
 * id) or a JSON array of single characters; `size` must be the model's
 * vocab, and no character may appear twice. Errors are `E_WEIGHTS` naming `source`.
 *
 * @example
 * ```ts
 * import { parseVocabulary } from '@sas/core';
 * parseVocabulary('"\\n ab"', 4, 'gen.safetensors'); // ['\n', ' ', 'a', 'b']
 * parseVocabulary('["\\n", " ", "a", "b"]', 4, 'run.ckpt'); // the same
 * ```
 */
export function parseVocabulary(text: string, size: number, source: string): string[] {
  const fail = (message: string): never => {
    throw new SasError('E_WEIGHTS', `${source}: __metadata__ vocab ${message}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`is not valid JSON (${(e as Error).message})`);
  }
  let chars: string[];
  if (typeof raw === 'string') chars = [...raw];
  else if (Array.isArray(raw)) {
    raw.forEach((ch, i) => {
      if (typeof ch !== 'string' || [...ch].length !== 1) fail(`[${i}]: expected one character, got ${JSON.stringify(ch)}`);
    });
    chars = raw as string[];
  } else return fail(`must be a string of characters or an array of characters, got ${raw === null ? 'null' : typeof raw}`);
  if (chars.length !== size) fail(`has ${chars.length} characters, but the model config has vocab ${size}`);
  const seen = new Map<string, number>();
  chars.forEach((ch, i) => {
    const first = seen.get(ch);
    if (first !== undefined) fail(`lists ${showChar(ch)} twice (ids ${first} and ${i})`);
    seen.set(ch, i);
  });
  return chars;
}

/**
 * The ids of a prompt's characters; an empty prompt, or a character outside
 * the vocabulary (named with its position), is an `E_INPUT` error.
 *
 * @example
 * ```ts
 * import { encodePrompt } from '@sas/core';
 * encodePrompt('ab a', ['\n', ' ', 'a', 'b']); // [2, 3, 1, 2]
 * // encodePrompt('abc', …) throws: prompt: character "c" (U+0063) at position 2 is not in the model's vocabulary (4 characters)
 * ```
 */
export function encodePrompt(prompt: string, vocab: readonly string[]): number[] {
  if (typeof prompt !== 'string') throw new SasError('E_INPUT', `prompt: expected a string, got ${prompt === null ? 'null' : typeof prompt}`);
  if (prompt.length === 0) throw new SasError('E_INPUT', 'prompt: expected at least one character, got an empty prompt');
  const index = new Map(vocab.map((ch, i) => [ch, i]));
  return [...prompt].map((ch, position) => {
    const id = index.get(ch);
    if (id === undefined)
      throw new SasError('E_INPUT', `prompt: character ${showChar(ch)} at position ${position} is not in the model's vocabulary (${vocab.length} characters)`);
    return id;
  });
}
