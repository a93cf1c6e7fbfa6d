/** A leak the soak found and that is not yet fixed where it lives. */
export interface SoakKnownIssue {
  readonly id: string;
  /** 'name' or 'name/mode'. */
  readonly backends: readonly string[];
  /** Which loop shows it: the steady one, or the one that rebuilds the graph. */
  readonly loop: 'steady' | 'rebuild';
  /** One line: what grows, and where the fix belongs. */
  readonly issue: string;
}

/**
 * Known leaks; the soak test reports each affected loop as skipped with the
 * issue in its name. Remove an entry once its fix lands.
 */
export const SOAK_KNOWN_ISSUES: readonly SoakKnownIssue[] = [
  // None open. Fixed: onnx-sessions-never-released (the ONNX backend now keeps a bounded LRU of
  // sessions, packages/onnx/src/session-cache.ts), so its rebuilding loop runs again.
];

/**
 * The known leak for a backend's soak loop, if any.
 *
 * @example
 * ```ts
 * import { soakKnownIssueFor } from '@sas/conformance';
 * soakKnownIssueFor('onnx', 'cpu', 'rebuild')?.id; // undefined: no known leak there now
 * ```
 */
export function soakKnownIssueFor(backend: string, mode: string, loop: 'steady' | 'rebuild'): SoakKnownIssue | undefined {
  return SOAK_KNOWN_ISSUES.find((k) => k.loop === loop && (k.backends.includes(backend) || k.backends.includes(`${backend}/${mode}`)));
}
