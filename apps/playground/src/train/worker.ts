/**
 * The training worker: a training session (train/session.ts) on the ndarray
 * backend, off the page's thread so the page stays responsive while it
 * trains. It reports every step and checks for a pause between steps.
 */
import { modelParams } from '@sas/core';
import { createNdarrayBackend, type NdarrayBackend } from '@sas/backend-ndarray';
import type { FromWorker, ToWorker } from './protocol.js';
import { TrainingSession } from './session.js';
import type { BrownSlice } from './task.js';

/** The slice of the worker's global scope this file uses (the DOM library types the page, not workers). */
const scope = self as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  crossOriginIsolated?: boolean;
};

let session: TrainingSession | undefined;
let backend: NdarrayBackend | undefined;
let target = 0;
let pausing = false;
let running = false;

const post = (message: FromWorker) => scope.postMessage(message);

async function loop(): Promise<void> {
  if (running || !session) return;
  running = true;
  pausing = false;
  try {
    while (session.steps < target && !pausing) {
      post({ type: 'step', ...(await session.step()) });
      // Let a pause message in between steps.
      await new Promise((ok) => setTimeout(ok, 0));
    }
    post({ type: 'stopped', steps: session.steps, reason: pausing ? 'paused' : 'finished' });
  } catch (e) {
    post({ type: 'error', message: String((e as Error)?.message ?? e).split('\n')[0] });
  } finally {
    running = false;
  }
}

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  pausing = true;
  while (running) await new Promise((ok) => setTimeout(ok, 10));
  await backend?.dispose();
  backend = createNdarrayBackend();
  let brown: BrownSlice | undefined;
  if (message.settings.task === 'brown') brown = (await (await fetch(new URL('data/brown-slice.json', message.baseUrl))).json()) as BrownSlice;
  session = new TrainingSession(backend, message.settings, brown);
  target = message.steps;
  post({
    type: 'started',
    params: modelParams(session.config).count,
    backend: `ndarray (${backend.gemm})`,
    threads: backend.threads,
    isolated: scope.crossOriginIsolated === true,
  });
  await loop();
}

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'start') void start(message).catch((e: Error) => post({ type: 'error', message: e.message }));
  else if (message.type === 'pause') pausing = true;
  else if (message.type === 'resume') {
    target = message.steps;
    void loop();
  }
};
