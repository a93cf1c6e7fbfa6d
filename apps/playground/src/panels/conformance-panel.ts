/**
 * The backends and their conformance verdicts: one row per backend of the
 * picker, each checked on demand against the bundled fixtures through the
 * shared suite over HTTP (`runConformanceOverHttp`): the authors' 11 bundled layer
 * cases (output and traces; with "gradients" their gradients too), and
 * optionally the char GPT's six training-step cases.
 */
import { runConformanceOverHttp, runModelConformanceOverHttp, stepTolerance, type ModelCaseReport } from '@sas/conformance/portable';
import { assetUrl, LAYER_FIXTURES, MODEL_FIXTURES } from '../assets.js';
import { PAGE_BACKENDS, type PageBackend } from '../backends.js';
import { withFreshBackend } from '../jobs.js';
import { el, fmt, message } from '../ui/dom.js';
import { isStepCheck, summarise, type Verdict } from './verdict.js';

/** A row's state, mirrored in its `data-state` attribute (the end-to-end tests read it). */
type RowState = 'idle' | 'unavailable' | 'running' | 'pass' | 'fail' | 'error';

interface Row {
  readonly backend: PageBackend;
  readonly tr: HTMLTableRowElement;
  readonly verdict: HTMLTableCellElement;
  readonly detail: HTMLTableCellElement;
  readonly button: HTMLButtonElement;
  available: boolean;
}

function setState(row: Row, state: RowState, verdict: string, detail: Node | string = ''): void {
  row.tr.dataset.state = state;
  row.verdict.textContent = verdict;
  row.verdict.className = `verdict ${state}`;
  row.detail.replaceChildren(detail);
}

function verdictText(v: Verdict): string {
  return `${v.passedCases}/${v.cases} cases pass`;
}

function verdictDetail(v: Verdict, tolerance: string, ms: number, extra?: Node): Node {
  return el(
    'span',
    {},
    `worst |a − e| ${fmt(v.worstAbs)} (tolerance ${tolerance}), ${fmt(ms / 1000)} s`,
    ...v.failures.map((f) => el('div', { class: 'failure' }, f)),
    extra,
  );
}

/** The largest |a − e| over the checks of `cases` whose names `which` accepts. */
function maxAbs(cases: readonly ModelCaseReport[], which: (name: string) => boolean): number {
  return Math.max(0, ...cases.flatMap((c) => c.checks.filter((k) => which(k.name) && Number.isFinite(k.maxAbs)).map((k) => k.maxAbs)));
}

async function checkRow(row: Row, options: { grads: boolean; models: boolean }): Promise<void> {
  if (!row.available) return;
  setState(row, 'running', 'running…');
  row.button.disabled = true;
  try {
    await withFreshBackend(row.backend.id, async (backend) => {
      const tolerance = row.backend.tolerance(backend.mode);
      const t0 = performance.now();
      const layers = summarise((await runConformanceOverHttp(backend, assetUrl(LAYER_FIXTURES), { tolerance, grads: options.grads })).cases);
      let models: HTMLElement | undefined;
      let passed = layers.passed;
      if (options.models) {
        // At the package's model tolerance: forward and gradients as the layers, the params after AdamW steps
        // at its step bound (AdamW amplifies float32 noise in gradients that are exactly zero in float64, docs/models.md).
        const modelTolerance = row.backend.modelTolerance(backend.mode);
        const report = await runModelConformanceOverHttp(backend, assetUrl(MODEL_FIXTURES), { tolerance: modelTolerance });
        const verdict = summarise(report.cases);
        const steps = report.cases.flatMap((c) => c.checks.filter((k) => isStepCheck(k.name)));
        passed &&= report.passed;
        models = el(
          'div',
          { class: 'models', 'data-models': report.passed ? 'pass' : 'fail' },
          `char GPT fixtures: ${verdictText(verdict)} (forward, gradients, and ${steps.length} params after two AdamW steps within ${fmt(stepTolerance(modelTolerance).atol)}; worst forward/gradient |a − e| ${fmt(maxAbs(report.cases, (name) => !isStepCheck(name)))}, worst step ${fmt(maxAbs(report.cases, isStepCheck))})`,
          ...verdict.failures.map((f) => el('div', { class: 'failure' }, f)),
        );
      }
      const tol = `${fmt(tolerance.atol)}${options.grads ? `, gradients ${fmt(tolerance.gradAtol)}` : ''}`;
      setState(
        row,
        passed ? 'pass' : 'fail',
        `${passed ? 'pass' : 'FAIL'}: ${verdictText(layers)} (${row.backend.modeName?.(backend.mode) ?? backend.mode})`,
        verdictDetail(layers, tol, performance.now() - t0, models),
      );
    });
  } catch (e) {
    setState(row, 'error', 'error', message(e));
  } finally {
    row.button.disabled = false;
  }
}

/**
 * Builds the panel into `root`: the table, "check all", and the options.
 *
 * @example
 * ```ts
 * await mountConformancePanel(document.getElementById('conformance')!);
 * ```
 */
export async function mountConformancePanel(root: HTMLElement): Promise<void> {
  const grads = el('input', { type: 'checkbox', id: 'conf-grads' });
  const models = el('input', { type: 'checkbox', id: 'conf-models' });
  const body = el('tbody');
  const rows: Row[] = [];
  const options = () => ({ grads: grads.checked, models: models.checked });
  for (const backend of PAGE_BACKENDS) {
    const verdict = el('td', { class: 'verdict' });
    const detail = el('td', { class: 'detail' });
    const button = el('button', { type: 'button' }, 'check');
    const tr = el('tr', { 'data-backend': backend.id }, el('th', { scope: 'row', title: backend.note }, backend.label), verdict, detail, el('td', {}, button));
    const row: Row = { backend, tr, verdict, detail, button, available: false };
    button.addEventListener('click', () => void checkRow(row, options()));
    rows.push(row);
    body.append(tr);
  }
  const checkAll = el('button', { type: 'button', id: 'check-all' }, 'check every backend');
  checkAll.addEventListener('click', async () => {
    checkAll.disabled = true;
    for (const row of rows) await checkRow(row, options());
    checkAll.disabled = false;
  });
  root.append(
    el('table', { class: 'backends' }, el('thead', {}, el('tr', {}, el('th', {}, 'backend'), el('th', {}, 'verdict'), el('th', {}, 'detail'), el('th'))), body),
    el('p', { class: 'controls' }, checkAll, el('label', {}, grads, ' gradients too'), el('label', {}, models, ' char GPT fixtures too')),
  );
  await Promise.all(
    rows.map(async (row) => {
      const reason = await row.backend.probe();
      row.available = reason === undefined;
      row.button.disabled = !row.available;
      if (reason) setState(row, 'unavailable', 'not offered here', reason);
      else setState(row, 'idle', 'not checked yet', row.backend.note);
    }),
  );
}
