import { SasError } from '@sas/core';

/** Share of the Brown corpus (its last characters) held out for validation. */
export const BROWN_HELD_OUT = 0.05;

/**
 * Plain text of one tagged Brown corpus file (Form C: `word/tag` tokens
 * separated by spaces, each sentence on a tab-indented line, blank lines
 * between them). The rule, which reproduces MODEL.md's 84-character
 * vocabulary and 6.14 M characters:
 *
 * 1. every tag is removed: from a token's first `/` to its end (`/\S+`), so
 *    `Atlanta's/np$` → `Atlanta's`, and the rare `1/2/cd` → `1` (which is why
 *    no `/` is left in the vocabulary);
 * 2. every run of whitespace becomes `\n\n` if it holds two or more line
 *    breaks, `\n` if it holds one, else one space (tabs go);
 * 3. the result is trimmed.
 *
 * @example
 * ```ts
 * import { stripBrownTags } from '@sas/data';
 * stripBrownTags('\n\n\tThe/at jury/nn said/vbd ./.\n\n\n\tIt/pps was/bedz\n');
 * // 'The jury said .\n\nIt was'
 * ```
 */
export function stripBrownTags(tagged: string): string {
  return tagged
    .replace(/\/\S+/g, '')
    .replace(/\s+/g, (run) => {
      const breaks = run.split('\n').length - 1;
      return breaks >= 2 ? '\n\n' : breaks === 1 ? '\n' : ' ';
    })
    .trim();
}

/**
 * Splits a text into training text and its last `fraction` (by characters) for
 * validation: the split is at ⌊length·(1 − fraction)⌋.
 *
 * @example
 * ```ts
 * import { splitHeldOut } from '@sas/data';
 * splitHeldOut('abcdefghijklmnopqrst', 0.05); // { train: 'abcdefghijklmnopqrs', validation: 't' }
 * ```
 */
export function splitHeldOut(text: string, fraction = BROWN_HELD_OUT): { train: string; validation: string } {
  if (!(fraction > 0 && fraction < 1)) throw new SasError('E_INPUT', `held-out fraction: expected a number between 0 and 1, got ${fraction}`);
  const at = Math.floor(text.length * (1 - fraction));
  return { train: text.slice(0, at), validation: text.slice(at) };
}
