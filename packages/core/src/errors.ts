/**
 * The one error type the library throws on bad input. `code` is stable and
 * machine-readable; `message` is one line naming what was expected and what came.
 *
 * @example
 * ```ts
 * import { SasError } from '@sas/core';
 * try { throw new SasError('E_CONFIG', 'simHeads must be a multiple of heads (got 5, heads 2)'); }
 * catch (e) { if (e instanceof SasError) console.log(e.code); } // 'E_CONFIG'
 * ```
 */
export class SasError extends Error {
  readonly code: SasErrorCode;
  constructor(code: SasErrorCode, message: string) {
    super(message);
    this.name = 'SasError';
    this.code = code;
  }
}

/** Stable error codes; the catalogue is documented in docs/reliability.md. */
export type SasErrorCode =
  | 'E_CONFIG' // invalid layer or model configuration, batch shape, optimizer or schedule
  | 'E_SHAPE' // shape rule of an op broken, or input of the wrong shape
  | 'E_DTYPE' // unsupported or mismatched dtype
  | 'E_ATTR' // invalid op attribute
  | 'E_GRAPH' // malformed graph (dangling input, cycle, unknown op, bad JSON)
  | 'E_INPUT' // a feed is missing, unexpected, holds NaN/Inf, or an id outside its domain
  | 'E_SAFETENSORS' // malformed safetensors file
  | 'E_WEIGHTS' // tensor missing, unexpected or shaped unlike the config (weights, checkpoints)
  | 'E_BACKEND' // unknown backend/mode, backend unavailable, op not lowered
  | 'E_FIXTURE' // malformed fixture directory
  | 'E_DEPENDENCY' // an optional package the feature needs is not installed
  | 'E_IO'; // file system problem (exists, cannot write)

/** Throws `SasError(code, message)` when `condition` is false. */
export function check(condition: unknown, code: SasErrorCode, message: () => string): asserts condition {
  if (!condition) throw new SasError(code, message());
}

/**
 * The package a failed `import()` says is not installed, or `undefined` when
 * the error is anything else (a missing file, a syntax error, a throw at load
 * time). Reads the message Node, Deno and Bun give (`Cannot find package
 * 'x' imported from …`), so a package that is installed but misses one of
 * its own dependencies names that dependency, which is what to install.
 *
 * @example
 * ```ts
 * import { missingPackageOf } from '@sas/core';
 * try {
 *   await import('fast-check');
 * } catch (e) {
 *   missingPackageOf(e); // 'fast-check' where it is not installed
 * }
 * ```
 */
export function missingPackageOf(error: unknown): string | undefined {
  const message = String((error as { message?: unknown })?.message ?? '');
  const specifier = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  if (specifier === undefined || /^(\.|\/|[a-zA-Z]:[\\/]|file:|node:)/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
