/**
 * Generation from the bundled Brown checkpoint on the picked backend: the
 * prompt is prefilled in one graph, then each character is one cached step
 * (core's `generate`), streamed into the page as it comes. Temperature 0 is
 * greedy: with the record's prompt and length, the text must be PyTorch's
 * (the record's `greedy`), and the page says whether it is.
 */
import { generate } from '@sas/core';
import { loadBundledModel } from '../assets.js';
import { pageBackend } from '../backends.js';
import { withBackend } from '../jobs.js';
import { selectedBackend } from '../picker.js';
import { byId, el, fmt, message } from '../ui/dom.js';

/** Speeds of the last generation on each backend, for the per-backend table. */
const speeds = new Map<string, { prefillMs: number; tokensPerSecond: number; tokens: number; mode: string }>();

function numberField(id: string, label: string, value: number, attrs: Record<string, string | number>): HTMLLabelElement {
  return el('label', {}, `${label} `, el('input', { id, type: 'number', value, ...attrs }));
}

/**
 * Builds the panel into `root`.
 *
 * @example
 * ```ts
 * await mountGeneratePanel(document.getElementById('generate')!);
 * ```
 */
export async function mountGeneratePanel(root: HTMLElement): Promise<void> {
  const { model, record } = await loadBundledModel();
  const prompt = el('input', { id: 'gen-prompt', type: 'text', value: record.prompt, size: 48, maxlength: model.config.maxSeqLen - 1 });
  const output = el('pre', { id: 'gen-output', class: 'generated' });
  const stats = el('p', { id: 'gen-stats', class: 'note' });
  const match = el('p', { id: 'gen-match', class: 'note' });
  const table = el('tbody');
  const start = el('button', { type: 'button', id: 'gen-start' }, 'generate');
  const stop = el('button', { type: 'button', id: 'gen-stop', disabled: true }, 'stop');
  let stopping = false;
  stop.addEventListener('click', () => (stopping = true));
  root.append(
    el(
      'p',
      { class: 'controls' },
      el('label', {}, 'prompt ', prompt),
      numberField('gen-max', 'characters', record.newTokens, { min: 1, max: model.config.maxSeqLen - 1, step: 1 }),
      numberField('gen-temperature', 'temperature', 0, { min: 0, max: 5, step: 0.1 }),
      numberField('gen-topk', 'top-k', 0, { min: 0, max: model.config.vocab, step: 1 }),
      numberField('gen-seed', 'seed', 1, { min: 0, step: 1 }),
      start,
      stop,
    ),
    output,
    stats,
    match,
    el(
      'table',
      { class: 'speeds' },
      el('thead', {}, el('tr', {}, el('th', {}, 'backend'), el('th', {}, 'prefill'), el('th', {}, 'decode'), el('th', {}, 'characters'))),
      table,
    ),
  );

  const value = (id: string) => Number(byId(id, HTMLInputElement).value);
  start.addEventListener('click', async () => {
    const id = selectedBackend();
    const options = { maxNewTokens: value('gen-max'), temperature: value('gen-temperature'), topK: value('gen-topk') || undefined, seed: value('gen-seed') };
    start.disabled = true;
    stop.disabled = false;
    stopping = false;
    output.textContent = '';
    output.dataset.state = 'running';
    match.textContent = '';
    stats.textContent = `starting ${pageBackend(id).label}…`;
    try {
      await withBackend(id, async (backend) => {
        const text = prompt.value;
        const prefix = el('span', { class: 'prompt' }, text);
        const generated = el('span', { id: 'gen-text' });
        output.replaceChildren(prefix, generated);
        const t0 = performance.now();
        let first = 0;
        let n = 0;
        for await (const ch of generate(model, text, { ...options, backend })) {
          if (n === 0) first = performance.now();
          n++;
          generated.textContent += ch;
          // Let the page paint between characters.
          await new Promise((ok) => setTimeout(ok, 0));
          if (stopping) break;
        }
        const end = performance.now();
        const prefillMs = first - t0;
        const tokensPerSecond = n > 1 ? (n - 1) / ((end - first) / 1000) : 0;
        speeds.set(id, { prefillMs, tokensPerSecond, tokens: n, mode: backend.mode });
        stats.textContent = `${n} characters on ${pageBackend(id).label}: prompt (${text.length} characters) and first character ${fmt(prefillMs)} ms, then ${fmt(tokensPerSecond)} characters/s`;
        const sameRun = text === record.prompt && options.temperature === 0 && options.maxNewTokens === record.newTokens;
        if (sameRun) {
          const ok = generated.textContent === record.greedy;
          match.dataset.match = String(ok);
          match.textContent = ok
            ? 'greedy text equals the record PyTorch made from the same checkpoint (gen-sas-brown.json) ✓'
            : 'greedy text DIFFERS from the record PyTorch made from the same checkpoint';
        } else delete match.dataset.match;
      });
      output.dataset.state = 'done';
    } catch (e) {
      output.dataset.state = 'error';
      stats.textContent = `error: ${message(e)}`;
    } finally {
      start.disabled = false;
      stop.disabled = true;
      table.replaceChildren(
        ...[...speeds].map(([b, s]) =>
          el(
            'tr',
            { 'data-backend': b },
            el('th', { scope: 'row' }, pageBackend(b).label),
            el('td', {}, `${fmt(s.prefillMs)} ms`),
            el('td', {}, `${fmt(s.tokensPerSecond)} char/s`),
            el('td', {}, String(s.tokens)),
          ),
        ),
      );
    }
  });
}
