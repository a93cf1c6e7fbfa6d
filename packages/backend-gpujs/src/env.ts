import { GPU } from 'gpu.js';

/** gpu.js modes this backend runs in Node, best first. */
export const NODE_MODES = ['headlessgl', 'webasm', 'cpu'] as const;

/**
 * gpu.js modes this backend runs in a browser, best first. webgpu comes after
 * the WebGL modes, as in gpu.js's own auto-selection: its kernels resolve
 * asynchronously, so each one waits a microtask for its inputs.
 */
export const BROWSER_MODES = ['webgl2', 'webgl', 'webgpu', 'webasm', 'cpu'] as const;

/** Every mode name the backend knows, in any runtime. */
export const ALL_MODES = ['headlessgl', 'webgl2', 'webgl', 'webgpu', 'webasm', 'cpu'] as const;

/** A gpu.js mode this backend can be asked for. */
export type GpujsMode = (typeof ALL_MODES)[number];

/** Whether a mode can run here and, when not, why. */
export interface ModeProbe {
  readonly mode: string;
  readonly available: boolean;
  /** One line: why the mode cannot run (absent when it can). */
  readonly reason?: string;
}

/**
 * True in Node (and Node-like runtimes without a DOM), false in a browser page or worker.
 *
 * @example
 * ```ts
 * import { isNodeRuntime } from '@sas/backend-gpujs';
 * isNodeRuntime(); // true under vitest / the CLI
 * ```
 */
export function isNodeRuntime(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string' && typeof (globalThis as { document?: unknown }).document === 'undefined';
}

/**
 * The modes worth trying in this runtime, best first.
 *
 * @example
 * ```ts
 * import { runtimeModes } from '@sas/backend-gpujs';
 * runtimeModes(); // ['headlessgl', 'webasm', 'cpu'] in Node
 * ```
 */
export function runtimeModes(): readonly string[] {
  return isNodeRuntime() ? NODE_MODES : BROWSER_MODES;
}

/**
 * Finds out whether `mode` can run here, with the reason when it cannot:
 * a missing display or `gl` build for headlessgl, a missing context for
 * webgl/webgl2, a missing adapter for webgpu.
 *
 * @example
 * ```ts
 * import { probeMode } from '@sas/backend-gpujs';
 * const p = await probeMode('headlessgl');
 * if (!p.available) console.log(p.reason); // e.g. "no X display (DISPLAY is unset): run under `xvfb-run -a`"
 * ```
 */
export async function probeMode(mode: string): Promise<ModeProbe> {
  const no = (reason: string): ModeProbe => ({ mode, available: false, reason });
  const node = isNodeRuntime();
  switch (mode) {
    case 'cpu':
      return { mode, available: true };
    case 'webasm':
      return GPU.isWebAssemblySupported ? { mode, available: true } : no('this runtime has no WebAssembly');
    case 'headlessgl':
      if (!node) return no("headlessgl is Node's headless GL (the `gl` module); in a browser use 'webgl2' or 'webgl'");
      return GPU.isHeadlessGLSupported ? { mode, available: true } : no(await headlessGlReason());
    case 'webgl2':
    case 'webgl':
      if (node) return no(`${mode} needs a browser; in Node use 'headlessgl' (under xvfb-run), 'webasm' or 'cpu'`);
      if (mode === 'webgl2' ? GPU.isWebGL2Supported : GPU.isWebGLSupported) return { mode, available: true };
      return no(`this browser offers no ${mode === 'webgl2' ? 'WebGL2' : 'WebGL'} context (disabled, blocklisted GPU, or no canvas)`);
    case 'webgpu':
      if (node) return no(await nodeWebGpuReason());
      if (!GPU.isWebGPUSupported)
        return no(
          'this browser has no WebGPU (navigator.gpu is missing; Chromium needs a secure context, and --enable-unsafe-webgpu where it is not on by default)',
        );
      return (await GPU.isWebGPUAvailable())
        ? { mode, available: true }
        : no('navigator.gpu exists but offers no adapter (headless Chromium: --enable-unsafe-webgpu --enable-features=Vulkan --use-vulkan=swiftshader)');
    default:
      return no(`unknown mode '${mode}' (modes: ${ALL_MODES.join(', ')})`);
  }
}

/** A `gl`-module context factory, as gpu.js calls it. */
export type GlFactory = (width: number, height: number, options?: object) => { getExtension(name: string): unknown } | null;

/** Loads the `gl` module the way gpu.js does: resolved from gpu.js's own location (it is gpu.js's optional dependency). */
async function loadGl(): Promise<GlFactory> {
  const { createRequire } = await import('node:module');
  const fromGpujs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
  return fromGpujs('gl') as GlFactory;
}

async function headlessGlReason(): Promise<string> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  return explainHeadlessGl(loadGl, env.DISPLAY);
}

/**
 * Why headless GL cannot run, given a way to load `gl` and the X display:
 * the native module is not built, there is no display, the context fails, or
 * it lacks float textures.
 *
 * @example
 * ```ts
 * import { explainHeadlessGl } from '@sas/backend-gpujs';
 * await explainHeadlessGl(async () => () => null, undefined); // 'no X display (DISPLAY is unset): run under `xvfb-run -a`'
 * ```
 */
export async function explainHeadlessGl(load: () => Promise<GlFactory>, display: string | undefined): Promise<string> {
  let getContext: GlFactory;
  try {
    getContext = await load();
  } catch (e) {
    return `the optional native module 'gl' is not built (${firstLine(e)}); install libxi-dev and reinstall with npm_config_nodedir=/usr`;
  }
  let context: ReturnType<GlFactory>;
  try {
    context = getContext(1, 1);
  } catch (e) {
    return `the 'gl' module failed to create a context (${firstLine(e)})`;
  }
  if (!context) {
    return display ? `the 'gl' module could not open a GL context on display ${display}` : 'no X display (DISPLAY is unset): run under `xvfb-run -a`';
  }
  const floats = context.getExtension('OES_texture_float');
  (context.getExtension('STACKGL_destroy_context') as { destroy(): void } | null)?.destroy();
  return floats ? 'gpu.js rejected the headless GL context' : 'the headless GL context lacks OES_texture_float (float textures)';
}

/** Node has no `navigator.gpu`; gpu.js's `webgpu` package would supply Dawn, whose binary may not load here. */
async function nodeWebGpuReason(): Promise<string> {
  const base = "webgpu is not available in Node: gpu.js needs navigator.gpu, which only its 'webgpu' (Dawn) package provides";
  try {
    const { createRequire } = await import('node:module');
    const fromGpujs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
    const entry = fromGpujs.resolve('webgpu');
    await import(entry);
  } catch (e) {
    return `${base}, and its native binary does not load here (${firstLine(e)})`;
  }
  return `${base}; this backend does not install it into Node (use 'headlessgl', 'webasm' or 'cpu')`;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/**
 * The best mode that can run here: the first available of `runtimeModes()`.
 *
 * @example
 * ```ts
 * import { pickMode } from '@sas/backend-gpujs';
 * await pickMode(); // 'headlessgl' under xvfb-run, else 'webasm'
 * ```
 */
export async function pickMode(): Promise<string> {
  for (const mode of runtimeModes()) if ((await probeMode(mode)).available) return mode;
  return 'cpu';
}
