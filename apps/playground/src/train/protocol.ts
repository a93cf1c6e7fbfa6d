/** Messages between the page and the training worker (train/worker.ts). */
import type { StepReport } from './session.js';
import type { TrainSettings } from './task.js';

/** Page → worker. */
export type ToWorker =
  /** A new run (any run before is dropped), training until `steps` steps in all or a pause. */
  | { readonly type: 'start'; readonly settings: TrainSettings; readonly steps: number; readonly baseUrl: string }
  /** Stop after the step in flight; the run stays in memory. */
  | { readonly type: 'pause' }
  /** Continue the run in memory until `steps` steps in all. */
  | { readonly type: 'resume'; readonly steps: number };

/** Worker → page. */
export type FromWorker =
  /** The run's model is built: its parameter count and the backend it trains on. */
  | { readonly type: 'started'; readonly params: number; readonly backend: string; readonly threads: number; readonly isolated: boolean }
  | ({ readonly type: 'step' } & StepReport)
  /** The loop stopped: asked to (`paused`), or the run reached its steps. */
  | { readonly type: 'stopped'; readonly steps: number; readonly reason: 'paused' | 'finished' }
  | { readonly type: 'error'; readonly message: string };
