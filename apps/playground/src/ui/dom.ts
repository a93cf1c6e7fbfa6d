/** Tiny DOM helpers: the page is plain TypeScript, no framework. */

type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes (`on*` functions become listeners) and children.
 *
 * @example
 * ```ts
 * const button = el('button', { type: 'button', onclick: () => alert('hi') }, 'Say hi');
 * ```
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

/**
 * The element with `id`, typed; a missing one is a programming error.
 *
 * @example
 * ```ts
 * const prompt = byId('prompt', HTMLTextAreaElement);
 * ```
 */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`page: no <${type.name}> #${id}`);
  return node;
}

/**
 * A number in a short human form: 3 significant digits, exponent when tiny or huge.
 *
 * @example
 * ```ts
 * fmt(0.000123); // '1.23e-4'
 * fmt(1234567);  // '1.23e+6'
 * ```
 */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(2) : String(Number(x.toPrecision(3)));
}

/**
 * An integer with thin-space thousands separators, as the docs write them.
 *
 * @example
 * ```ts
 * count(1234567); // '1 234 567'
 * ```
 */
export function count(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/**
 * The one-line message of an error (SasError's code included).
 *
 * @example
 * ```ts
 * message(new Error('x')); // 'x'
 * ```
 */
export function message(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
