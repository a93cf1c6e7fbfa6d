/**
 * Attention maps of the bundled Brown checkpoint for a text typed in the
 * page: in a chosen block, the H' simulated heads SAS attends with, beside
 * the MHA-shaped view (what H ordinary heads would attend to from the same
 * un-simulated projections; attention/maps-graph.ts says exactly what), with
 * values on hover; then SAS's parameters and FLOPs against MHA's.
 */
import { encodePrompt, tensor } from '@sas/core';
import { loadBundledModel } from '../assets.js';
import { buildAttentionMaps, MHA_MAPS, MODEL_MAPS } from '../attention/maps-graph.js';
import { withBackend } from '../jobs.js';
import { selectedBackend } from '../picker.js';
import { count, el, message } from '../ui/dom.js';
import { heatmap } from '../ui/heatmap.js';
import { compareCosts, type LayerShape } from './costs.js';

/** The heads [heads, T, T] of a maps output as heatmaps. */
function heatmaps(data: Float32Array | Float64Array, heads: number, tokens: readonly string[], title: (h: number) => string): HTMLElement[] {
  const t = tokens.length;
  const size = Math.max(120, Math.min(220, t * 6));
  return Array.from({ length: heads }, (_, h) => heatmap({ title: title(h), values: data.subarray(h * t * t, (h + 1) * t * t), tokens, size }));
}

function costTable(root: HTMLElement, shape: () => LayerShape): void {
  const body = el('tbody');
  const error = el('p', { class: 'note' });
  const render = () => {
    try {
      error.textContent = '';
      body.replaceChildren(
        ...compareCosts(shape()).map((r) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, r.what),
            el('td', {}, count(r.sas)),
            el('td', {}, count(r.mha)),
            el('td', {}, r.mha > 0 ? `${(r.sas / r.mha).toFixed(2)}×` : '–'),
          ),
        ),
      );
    } catch (e) {
      body.replaceChildren();
      error.textContent = message(e);
    }
  };
  root.addEventListener('input', render);
  root.append(
    el(
      'table',
      { class: 'costs', id: 'costs' },
      el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'SAS'), el('th', {}, 'MHA'), el('th', {}, 'SAS / MHA'))),
      body,
    ),
    error,
  );
  render();
}

/**
 * Builds the panel into `root`.
 *
 * @example
 * ```ts
 * await mountAttentionPanel(document.getElementById('attention')!);
 * ```
 */
export async function mountAttentionPanel(root: HTMLElement): Promise<void> {
  const { model, record } = await loadBundledModel();
  const config = model.config;
  if (config.attention.kind !== 'sas') throw new Error('the bundled checkpoint is expected to use SAS attention');
  const { simHeads, kernelSize } = config.attention;
  const heads = config.heads;
  const headDim = config.width / heads;
  const simHeadDim = config.attention.simHeadDim ?? headDim;
  const text = el('input', { id: 'maps-text', type: 'text', value: record.prompt, size: 48, maxlength: config.maxSeqLen });
  const layer = el('select', { id: 'maps-layer' }, ...Array.from({ length: config.layers }, (_, i) => el('option', { value: i }, `block ${i}`)));
  const show = el('button', { type: 'button', id: 'maps-show' }, 'show attention');
  const status = el('p', { class: 'note', id: 'maps-status' });
  const sim = el('div', { class: 'maps', id: 'maps-sim' });
  const mha = el('div', { class: 'maps', id: 'maps-mha' });
  root.append(
    el('p', { class: 'controls' }, el('label', {}, 'text ', text), el('label', {}, 'layer ', layer), show),
    status,
    el('h3', {}, `SAS: the ${simHeads} simulated heads (H′) the model attends with`),
    sim,
    el('h3', {}, `MHA-shaped view: ${heads} heads (H) from the same block's un-simulated q/k projections`),
    mha,
  );

  const field = (id: string, label: string, value: number) =>
    el('label', {}, `${label} `, el('input', { id, type: 'number', value, min: 1, step: 1, class: 'small' }));
  const shapeForm = el(
    'p',
    { class: 'controls', id: 'costs-shape' },
    field('cost-t', 'T', record.prompt.length),
    field('cost-h', 'H', heads),
    field('cost-d', 'D', headDim),
    field('cost-hs', 'H′', simHeads),
    field('cost-ds', 'D′', simHeadDim),
    field('cost-k', 'k', kernelSize),
  );
  const costs = el('div', {}, el('h3', {}, 'Parameters and FLOPs of one layer: SAS against MHA'), shapeForm);
  root.append(costs);
  const read = (id: string) => Number((shapeForm.querySelector(`#${id}`) as HTMLInputElement).value);
  costTable(costs, () => ({
    seqLen: read('cost-t'),
    heads: read('cost-h'),
    headDim: read('cost-d'),
    simHeads: read('cost-hs'),
    simHeadDim: read('cost-ds'),
    kernelSize: read('cost-k'),
  }));

  show.addEventListener('click', async () => {
    show.disabled = true;
    status.textContent = 'running…';
    root.dataset.state = 'running';
    try {
      const vocab = model.vocab!;
      const ids = encodePrompt(text.value, vocab);
      const tokens = ids.map((id) => vocab[id]);
      const t = ids.length;
      const block = Number(layer.value);
      const graph = buildAttentionMaps(config, block, t);
      const out = await withBackend(selectedBackend(), (backend) =>
        backend.run(graph, { ...model.params, ids: tensor(ids, [1, t], 'float32') }, { outputs: [MODEL_MAPS, MHA_MAPS] }),
      );
      sim.replaceChildren(...heatmaps(out[MODEL_MAPS].data, simHeads, tokens, (h) => `block ${block} · H′ head ${h}`));
      mha.replaceChildren(...heatmaps(out[MHA_MAPS].data, heads, tokens, (h) => `block ${block} · H head ${h}`));
      (shapeForm.querySelector('#cost-t') as HTMLInputElement).value = String(t);
      costs.dispatchEvent(new Event('input'));
      status.textContent = `${t} characters, block ${block}: each map's row is a query position, its columns the keys it may see (causal: none after it); hover a cell for its probability`;
      root.dataset.state = 'done';
    } catch (e) {
      status.textContent = `error: ${message(e)}`;
      root.dataset.state = 'error';
    } finally {
      show.disabled = false;
    }
  });
}
