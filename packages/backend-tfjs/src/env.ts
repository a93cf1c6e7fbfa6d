/** tfjs backends this package can drive, by the name tfjs registers them under. */
export const TFJS_MODES = ['webgl', 'webgpu', 'wasm', 'cpu'] as const;

/** True in Node (and Node-compatible runtimes), where only the cpu and wasm tfjs backends exist. */
export function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * The modes usable in this runtime, best first: wasm then cpu in Node; in a
 * browser webgl, webgpu, wasm, cpu.
 *
 * @example
 * ```ts
 * availableModes(); // ['wasm', 'cpu'] under Node
 * ```
 */
export function availableModes(): string[] {
  return inNode() ? ['wasm', 'cpu'] : [...TFJS_MODES];
}
