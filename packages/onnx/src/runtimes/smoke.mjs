// Runtime-neutral smoke test of the built core (plain ESM, no bundler): build
// a layer graph from a fixture case's configuration, evaluate it with the
// reference backend on the case's inputs and weights, and measure the largest
// difference from the authors' output. Used unchanged by Deno, Bun and a
// browser (see ../runtimes.test.ts); it needs only the core module and bytes.

/**
 * @param {typeof import('../../../core/dist/index.js')} core the built @sas/core module
 * @param {Uint8Array} bytes the case's safetensors file
 * @param {Record<string, unknown>} entry the case's manifest entry
 * @returns {Promise<{ maxError: number, elements: number, kind: string, outputs: string[] }>}
 */
export async function smoke(core, bytes, entry) {
  const config = core.validateConfig(entry);
  const { tensors } = core.parseSafetensors(bytes, String(entry.file));
  const feeds = { query: tensors.get('input.query'), key: tensors.get('input.key'), value: tensors.get('input.value') };
  for (const p of core.layerParams(config)) feeds[p.name] = tensors.get(p.name);
  const graph = core.buildLayer(config, { dtype: 'float64' });
  const out = await core.evaluateReference(graph, feeds);
  const want = tensors.get('output');
  let maxError = 0;
  for (let i = 0; i < want.data.length; i++) maxError = Math.max(maxError, Math.abs(out.output.data[i] - want.data[i]));
  if (out.output.data.length !== want.data.length) maxError = Infinity;
  return { maxError, elements: want.data.length, kind: config.kind, outputs: Object.keys(out) };
}
