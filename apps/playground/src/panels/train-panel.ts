/**
 * Live training in a web worker: the char GPT on MQAR or a Brown slice
 * (train/task.ts), the loss of every step on a vega-lite chart, and stop /
 * resume (the run stays in the worker's memory between them).
 */
import { count, el, fmt } from '../ui/dom.js';
import { lossChart } from '../ui/loss-chart.js';
import type { FromWorker, ToWorker } from '../train/protocol.js';
import type { TrainAttention, TrainTask } from '../train/task.js';

/**
 * Builds the panel into `root` and starts the worker.
 *
 * @example
 * ```ts
 * await mountTrainPanel(document.getElementById('train')!);
 * ```
 */
export async function mountTrainPanel(root: HTMLElement): Promise<void> {
  const task = el(
    'select',
    { id: 'train-task' },
    el('option', { value: 'mqar' }, 'MQAR (associative recall)'),
    el('option', { value: 'brown' }, 'Brown corpus slice (next character)'),
  );
  const attention = el('select', { id: 'train-attention' }, el('option', { value: 'sas' }, 'SAS (H′ 8, D′ 32)'), el('option', { value: 'mha' }, 'MHA'));
  const steps = el('input', { id: 'train-steps', type: 'number', value: 200, min: 1, step: 1, class: 'small' });
  const start = el('button', { type: 'button', id: 'train-start' }, 'start');
  const pause = el('button', { type: 'button', id: 'train-stop', disabled: true }, 'stop');
  const resume = el('button', { type: 'button', id: 'train-resume', disabled: true }, 'resume');
  const status = el('p', { class: 'note', id: 'train-status' }, 'not started');
  const chartBox = el('div', { id: 'loss-chart' });
  const log = el('ol', { id: 'train-log', hidden: true });
  root.append(
    el(
      'p',
      { class: 'controls' },
      el('label', {}, 'task ', task),
      el('label', {}, 'attention ', attention),
      el('label', {}, 'steps ', steps),
      start,
      pause,
      resume,
    ),
    status,
    chartBox,
    log,
  );
  const chart = await lossChart(chartBox);
  const worker = new Worker(new URL('../train/worker.ts', import.meta.url), { type: 'module' });
  const send = (message: ToWorker) => worker.postMessage(message);
  let run = '';
  let header = '';
  let speed = '';
  let runs = 0;

  const running = (yes: boolean) => {
    start.disabled = false;
    pause.disabled = !yes;
    resume.disabled = yes || runs === 0;
    root.dataset.state = yes ? 'running' : 'stopped';
  };

  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const m = event.data;
    if (m.type === 'started') {
      header = `${count(m.params)} parameters on ${m.backend}, ${m.threads} thread${m.threads === 1 ? '' : 's'}${m.isolated ? ' (page cross-origin isolated)' : ''}`;
      status.textContent = `${run}: ${header}`;
    } else if (m.type === 'step') {
      log.append(el('li', { 'data-step': m.step, 'data-loss': m.loss }, `${m.step} ${m.loss}`));
      speed = `${fmt(m.ms)} ms/step, ${fmt(m.tokensPerSecond)} targets/s`;
      status.textContent = `${run}: step ${m.step}, loss ${m.loss.toFixed(4)}, ${speed} · ${header}`;
      void chart.add({ step: m.step, loss: m.loss, run });
    } else if (m.type === 'stopped') {
      status.textContent = `${run}: ${m.reason === 'paused' ? 'stopped' : 'finished'} after ${m.steps} steps (last ${speed}) · ${header}`;
      running(false);
    } else {
      status.textContent = `error: ${m.message}`;
      root.dataset.state = 'error';
      running(false);
    }
  };
  worker.onerror = (e) => {
    status.textContent = `the training worker failed: ${e.message}`;
    root.dataset.state = 'error';
  };

  start.addEventListener('click', () => {
    runs++;
    run = `${runs}: ${task.value} · ${attention.value}`;
    log.replaceChildren();
    status.textContent = `${run}: building the model and its training step…`;
    running(true);
    send({
      type: 'start',
      settings: { task: task.value as TrainTask, attention: attention.value as TrainAttention, seed: runs },
      steps: Number(steps.value),
      baseUrl: document.baseURI,
    });
  });
  pause.addEventListener('click', () => {
    pause.disabled = true;
    send({ type: 'pause' });
  });
  resume.addEventListener('click', () => {
    running(true);
    send({ type: 'resume', steps: Number(steps.value) });
  });
  running(false);
}
