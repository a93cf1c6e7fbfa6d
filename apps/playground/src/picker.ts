/**
 * The backend picker at the top of the page: which backend generation and
 * the attention maps run on. Backends the browser cannot run are listed,
 * disabled, with the reason as their tooltip.
 */
import { PAGE_BACKENDS, pageBackend } from './backends.js';
import { el } from './ui/dom.js';

let select: HTMLSelectElement | undefined;

/**
 * Builds the picker into `root` and probes every backend.
 *
 * @example
 * ```ts
 * await mountPicker(document.getElementById('picker')!);
 * selectedBackend(); // 'ndarray'
 * ```
 */
export async function mountPicker(root: HTMLElement): Promise<void> {
  const note = el('span', { class: 'note', id: 'backend-note' });
  select = el('select', { id: 'backend' });
  for (const b of PAGE_BACKENDS) select.append(el('option', { value: b.id }, b.label));
  const show = () => {
    note.textContent = pageBackend(select!.value).note;
  };
  select.addEventListener('change', show);
  root.append(el('label', {}, 'backend ', select), ' ', note);
  show();
  await Promise.all(
    PAGE_BACKENDS.map(async (b, i) => {
      const reason = await b.probe();
      const option = select!.options[i];
      option.disabled = reason !== undefined;
      if (reason) option.title = reason;
    }),
  );
}

/**
 * The id of the backend the picker shows.
 *
 * @example
 * ```ts
 * selectedBackend(); // 'ndarray'
 * ```
 */
export function selectedBackend(): string {
  return select?.value ?? PAGE_BACKENDS[0].id;
}
