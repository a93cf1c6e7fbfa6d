// JSON read from files is parsed only after its nesting depth is checked:
// JSON.parse copes with deep nesting, but whatever walks the result afterwards
// (JSON.stringify in a message, Array.prototype.toString) recurses and fails
// with a stack overflow instead of a clear error.

import { SasError, type SasErrorCode } from '../errors.js';

/** The deepest nesting any document this library reads needs is 4 (graph JSON); files are allowed 64. */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses JSON text from a file, refusing text nested deeper than `maxDepth`
 * before parsing it, and turning a syntax error into `SasError(code)` naming
 * `source`.
 *
 * @example
 * ```ts
 * import { parseJsonText } from '@sas/core';
 * parseJsonText('{"a": [1, 2]}', 'a.json', 'E_GRAPH');      // { a: [1, 2] }
 * parseJsonText('['.repeat(100) + ']'.repeat(100), 'a.json', 'E_GRAPH'); // throws: a.json: JSON nested deeper than 64 levels ...
 * ```
 */
export function parseJsonText(text: string, source: string, code: SasErrorCode, maxDepth = MAX_JSON_DEPTH): unknown {
  checkJsonDepth(text, source, code, maxDepth);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SasError(code, `${source}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * Refuses JSON text nested deeper than `maxDepth` with `SasError(code)`
 * naming `source`, in one pass and without parsing it.
 *
 * @example
 * ```ts
 * import { checkJsonDepth } from '@sas/core';
 * checkJsonDepth('[[1]]', 'a.json', 'E_GRAPH'); // fine
 * ```
 */
export function checkJsonDepth(text: string, source: string, code: SasErrorCode, maxDepth = MAX_JSON_DEPTH): void {
  if (jsonDepth(text, maxDepth) > maxDepth) throw new SasError(code, `${source}: JSON nested deeper than ${maxDepth} levels (refused before parsing)`);
}

/** Greatest nesting depth of brackets outside strings, scanning once; stops early past `limit`. */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // skip a string, escapes included
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
