import { clock, type ProgressSink } from '../train/progress.js';

const BAR_WIDTH = 20;
const REDRAW_MS = 1000;

/** A run the experiment is training now. */
interface ActiveRun {
  step: number;
  readonly total: number;
}

/**
 * What an experiment shows while it runs. On a terminal: one progress bar on
 * stderr (runs done / total, elapsed time and ETA from the steps done in
 * this session, the current runs' steps), redrawn each second, with each event (a run
 * started, evaluated, finished) as a line above it. Otherwise: those lines
 * alone, on `lines`.
 *
 * @example
 * ```ts
 * const p = new ExperimentProgress(process.stderr, process.stdout, { runs: 4, done: 0, steps: 120, stepsDone: 0 });
 * p.started('mha.seed1', 30, 0);
 * p.evaluated('mha.seed1', 10, 'step 10/30  train 2.7  val 2.6 …');
 * ```
 */
export class ExperimentProgress {
  private readonly active = new Map<string, ActiveRun>();
  private done: number;
  /** Steps of finished runs (all of theirs) and of active runs (up to where they stand). */
  private stepsDone: number;
  private readonly stepsAtStart: number;
  private readonly started_ = performance.now();
  private drawn = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly bar: ProgressSink,
    private readonly lines: ProgressSink,
    private readonly totals: { readonly runs: number; readonly done: number; readonly steps: number; readonly stepsDone: number },
  ) {
    this.done = totals.done;
    this.stepsDone = totals.stepsDone;
    this.stepsAtStart = totals.stepsDone;
    if (this.tty) this.timer = setInterval(() => this.draw(), REDRAW_MS).unref();
  }

  private get tty(): boolean {
    return this.bar.isTTY === true;
  }

  /** A line that stays. */
  say(text: string): void {
    const sink = this.tty ? this.bar : this.lines;
    if (this.tty && this.drawn) this.bar.write('\r\x1b[2K');
    sink.write(`${text}\n`);
    this.drawn = false;
    this.draw();
  }

  /** A run starts (or resumes) at `step` of `total`; steps before `step` were counted at the start. */
  started(id: string, total: number, step: number): void {
    this.active.set(id, { step, total });
    this.say(`[${id}] ${step > 0 ? `resumes at step ${step}` : 'starts'} (${this.done + this.active.size}/${this.totals.runs})`);
  }

  /** A run's evaluation line. */
  evaluated(id: string, step: number, line: string): void {
    const run = this.active.get(id);
    if (run && step > run.step) {
      this.stepsDone += step - run.step;
      run.step = step;
    }
    this.say(`[${id}] ${line}`);
  }

  /** A run finished all its steps. */
  finished(id: string, note: string): void {
    const run = this.active.get(id);
    if (run) this.stepsDone += run.total - run.step;
    this.active.delete(id);
    this.done++;
    this.say(`[${id}] done: ${note} (${this.done}/${this.totals.runs} runs done)`);
  }

  /** A run ended without finishing (stopped or failed); its steps stay counted where it stood. */
  ended(id: string, note: string): void {
    this.active.delete(id);
    this.say(`[${id}] ${note}`);
  }

  /** The bar's text: runs done, the current runs' steps, ETA. */
  status(now = performance.now()): string {
    const elapsed = (now - this.started_) / 1000;
    const session = this.stepsDone - this.stepsAtStart;
    const eta = session > 0 ? ((this.totals.steps - this.stepsDone) * elapsed) / session : Number.POSITIVE_INFINITY;
    const current = [...this.active].map(([id, r]) => `${id} ${r.step}/${r.total}`).join(', ');
    const filled = Math.round((BAR_WIDTH * this.stepsDone) / Math.max(1, this.totals.steps));
    const bar = `runs ${this.done}/${this.totals.runs} [${'='.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}]`;
    // the numbers first: a narrow terminal cuts the end of the line
    return [bar, `${clock(elapsed)} ETA ${clock(eta)}`, current].filter(Boolean).join('  ');
  }

  private draw(): void {
    if (!this.tty) return;
    this.bar.write(`\r\x1b[2K${this.status().slice(0, (this.bar.columns ?? 80) - 1)}`);
    this.drawn = true;
  }

  /** Stops redrawing and leaves the terminal on a fresh line. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.drawn) this.bar.write('\r\x1b[2K');
    this.drawn = false;
  }
}
