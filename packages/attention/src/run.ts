import type { Backend, Feeds, Graph, RunOptions, Tensor } from '@sas/core';
import { createBackend } from './registry.js';

/** The embedded default backend: CPU, no GPU stack needed, runs anywhere Node or a browser runs. */
export const DEFAULT_BACKEND = 'ndarray';

let defaultBackend: Promise<Backend> | undefined;

/**
 * Runs a graph on `options.backend`, or on the default CPU backend (ndarray),
 * created on first use and shared.
 *
 * @example
 * ```ts
 * import { buildLayer, initParams, randomNormal, runGraph } from '@sas/attention';
 * const config = { kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * const x = randomNormal([1, 8, 2, 4], 1);
 * const { output } = await runGraph(buildLayer(config), { ...initParams(config, 7), query: x, key: x, value: x }, { outputs: ['output'] });
 * ```
 */
export async function runGraph(graph: Graph, feeds: Feeds, options: RunOptions & { backend?: Backend } = {}): Promise<Record<string, Tensor>> {
  const backend = options.backend ?? (await (defaultBackend ??= createBackend(DEFAULT_BACKEND)));
  return backend.run(graph, feeds, options);
}

/**
 * Releases the shared default backend (a later `runGraph` creates a new one).
 *
 * @example
 * ```ts
 * import { disposeDefaultBackend } from '@sas/attention';
 * await disposeDefaultBackend();
 * ```
 */
export async function disposeDefaultBackend(): Promise<void> {
  const pending = defaultBackend;
  defaultBackend = undefined;
  if (pending) await (await pending).dispose();
}
