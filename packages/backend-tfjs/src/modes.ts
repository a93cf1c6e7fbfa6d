import * as tf from '@tensorflow/tfjs-core';
import { SasError } from '@sas/core';
import { availableModes, inNode, TFJS_MODES } from './env.js';

/** Options for starting a tfjs backend. */
export interface TfjsModeOptions {
  /**
   * Where the wasm backend finds its `.wasm` binaries (a directory URL or
   * path ending in '/'). Default in Node: the `dist/` directory of the
   * installed `@tensorflow/tfjs-backend-wasm`. In a browser, set it (or call
   * `setWasmPaths` yourself) when a bundler moves the files.
   */
  readonly wasmPaths?: string;
}

// The packages that register each tfjs backend, all optional peers: users
// install the ones for the modes they run.
const BACKEND_PACKAGES: Readonly<Record<string, string>> = {
  cpu: '@tensorflow/tfjs-backend-cpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
  webgl: '@tensorflow/tfjs-backend-webgl',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
};

async function importBackendPackage(mode: string): Promise<Record<string, unknown>> {
  // Literal specifiers for the packages this one is tested with (cpu, wasm in
  // Node; webgl in headless Chromium), so bundlers see and bundle them.
  if (mode === 'cpu') return (await import('@tensorflow/tfjs-backend-cpu')) as Record<string, unknown>;
  if (mode === 'wasm') return (await import('@tensorflow/tfjs-backend-wasm')) as Record<string, unknown>;
  if (mode === 'webgl') return (await import('@tensorflow/tfjs-backend-webgl')) as Record<string, unknown>;
  // webgpu is not installed here: a bare runtime specifier that a browser only
  // resolves through an import map, or a page that imported it first.
  return (await import(/* @vite-ignore */ BACKEND_PACKAGES[mode])) as Record<string, unknown>;
}

/** The directory of the installed wasm binaries, resolved like `require.resolve` would (Node only). */
async function nodeWasmDirectory(): Promise<string> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

/** Imports the package that registers `mode` unless tfjs already knows it; points wasm at its binaries. */
async function registerBackend(mode: string, options: TfjsModeOptions): Promise<void> {
  let module: Record<string, unknown> | undefined;
  if (!tf.findBackendFactory(mode) || mode === 'wasm') {
    try {
      module = await importBackendPackage(mode);
    } catch (e) {
      throw new SasError(
        'E_BACKEND',
        `tfjs mode '${mode}' needs the package ${BACKEND_PACKAGES[mode]}, which could not be loaded (${(e as Error).message.split('\n')[0]})`,
      );
    }
  }
  // The binaries' location must be set before the wasm backend first initialises
  // (`tf.findBackend` would initialise it, hence the registry lookup).
  if (mode === 'wasm' && module && !(mode in tf.engine().registry)) {
    const setWasmPaths = (module.setWasmPaths ?? (module.default as Record<string, unknown> | undefined)?.setWasmPaths) as ((p: string) => void) | undefined;
    const paths = options.wasmPaths ?? (inNode() ? await nodeWasmDirectory() : undefined);
    if (paths !== undefined && setWasmPaths) setWasmPaths(paths);
  }
}

/**
 * Makes `mode` tfjs's active backend and proves it: tfjs answers a failed
 * start by quietly keeping (or picking) another backend, so anything but
 * `tf.getBackend() === mode` afterwards is an `E_BACKEND` error.
 *
 * @example
 * ```ts
 * await switchTfjsBackend('cpu'); // tf.getBackend() === 'cpu' now
 * ```
 */
export async function switchTfjsBackend(mode: string): Promise<void> {
  let started = false;
  let reason = '';
  try {
    started = await tf.setBackend(mode);
    if (started) await tf.ready();
  } catch (e) {
    reason = `: ${(e as Error).message.split('\n')[0]}`;
  }
  const active = tf.engine().backendName;
  if (!started || active !== mode) {
    throw new SasError(
      'E_BACKEND',
      `tfjs could not start its '${mode}' backend${reason || ' (setBackend returned false)'}; the active tfjs backend is '${active ?? 'none'}', and tfjs would have silently run there instead`,
    );
  }
}

/**
 * Loads, registers and activates the tfjs backend for `mode` ('wasm' or 'cpu'
 * in Node; also 'webgl'/'webgpu' in a browser), or fails with a one-line
 * `E_BACKEND` naming the mode and the reason; never a silent fallback.
 *
 * @example
 * ```ts
 * import { activateTfjsMode } from '@sas/backend-tfjs';
 * await activateTfjsMode('wasm');
 * ```
 */
export async function activateTfjsMode(mode: string, options: TfjsModeOptions = {}): Promise<void> {
  const usable = availableModes();
  if (!(TFJS_MODES as readonly string[]).includes(mode)) {
    throw new SasError('E_BACKEND', `backend 'tfjs' has no mode '${mode}' (modes here: ${usable.join(', ')})`);
  }
  if (!usable.includes(mode)) {
    throw new SasError('E_BACKEND', `tfjs mode '${mode}' needs a browser; under Node use ${usable.join(' or ')}`);
  }
  await registerBackend(mode, options);
  await switchTfjsBackend(mode);
}
