// Names come from data (files, command lines, feeds) and go into messages and
// object lookups; these helpers keep both honest.

import { SasError } from './errors.js';

/**
 * `text` with control characters (newlines, carriage returns, ANSI escapes,
 * line separators) written as escapes, so a name from a file prints as one
 * line and cannot forge another line of a report or an error.
 *
 * @example
 * ```ts
 * import { printable } from '@sas/core';
 * printable('case\nPASS  sas-tiny'); // 'case\\nPASS  sas-tiny'
 * printable('\u001b[32mgreen');      // '\\u001b[32mgreen'
 * ```
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * `record[name]` when `record` holds `name` itself, else undefined: a name
 * such as `constructor` or `toString` is an ordinary name, never a member
 * inherited from `Object.prototype`.
 *
 * @example
 * ```ts
 * import { ownValue } from '@sas/core';
 * ownValue({ a: 1 }, 'a');           // 1
 * ownValue({ a: 1 }, 'constructor'); // undefined (not Object)
 * ```
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/**
 * Refuses `__proto__` as the name of an input, param or output: a plain
 * JavaScript object cannot hold it as an ordinary key (assigning it changes
 * the object's prototype), so feeds and results under it would vanish.
 * Every other string, `constructor` and `toString` included, is an ordinary name.
 *
 * @example
 * ```ts
 * import { checkName } from '@sas/core';
 * checkName('constructor', 'Input'); // fine
 * checkName('__proto__', 'Input');   // throws E_GRAPH: Input: the name '__proto__' cannot be used ...
 * ```
 */
export function checkName(name: string, what: string): void {
  if (name === '__proto__')
    throw new SasError('E_GRAPH', `${what}: the name '__proto__' cannot be used (a JavaScript object cannot hold it as an ordinary key)`);
}
