/** One evaluation of a run: a line of the --log file (docs/training.md). */
export interface Evaluation {
  readonly step: number;
  readonly tokens: number;
  readonly wallSeconds: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly accuracy?: number;
}

/** Where the progress output goes. */
export interface ProgressSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

/** `1234` → `1.2k`. */
export function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
}

/** Seconds → `1:05:09` or `5:09`. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${Math.floor(s / 60)}:${ss}`;
}

/**
 * One plain line for an evaluation.
 *
 * @example
 * ```ts
 * evaluationLine({ step: 100, tokens: 204800, wallSeconds: 41.2, lr: 0.002, trainLoss: 2.5, valLoss: 2.6 }, 600);
 * // 'step 100/600  train 2.5000  val 2.6000  lr 2.00e-3  205k tokens  41.2 s'
 * ```
 */
export function evaluationLine(e: Evaluation, total: number): string {
  return [
    `step ${e.step}/${total}`,
    `train ${e.trainLoss.toFixed(4)}`,
    `val ${e.valLoss.toFixed(4)}`,
    ...(e.accuracy === undefined ? [] : [`accuracy ${(e.accuracy * 100).toFixed(1)}%`]),
    `lr ${e.lr.toExponential(2)}`,
    `${compact(e.tokens)} tokens`,
    `${e.wallSeconds.toFixed(1)} s`,
  ].join('  ');
}

/**
 * What a run shows while it trains. On a terminal: a progress bar on stderr
 * (step/total, loss, tokens/s, ETA), redrawn at most ten times a second, with
 * each evaluation printed above it. Otherwise: one plain line per evaluation
 * (on `lines`) and nothing else.
 */
export class Progress {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly bar: ProgressSink,
    private readonly lines: ProgressSink,
    private readonly total: number,
  ) {}

  private get tty(): boolean {
    return this.bar.isTTY === true;
  }

  /** After a training step: redraws the bar (terminal only). */
  step(step: number, loss: number, tokensPerSecond: number, secondsPerStep: number): void {
    if (!this.tty) return;
    const now = performance.now();
    if (step < this.total && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const head = `step ${step}/${this.total} `;
    const tail = ` loss ${loss.toFixed(4)}  ${compact(tokensPerSecond)} tok/s  ETA ${clock((this.total - step) * secondsPerStep)}`;
    // The bar gives way on a narrow terminal; the numbers do not.
    const width = Math.max(0, Math.min(BAR_WIDTH, (this.bar.columns ?? 80) - 1 - head.length - tail.length - 2));
    const filled = Math.round((width * step) / this.total);
    const bar = width > 0 ? `[${'='.repeat(filled)}${' '.repeat(width - filled)}]` : '';
    this.bar.write(`\r\x1b[2K${`${head}${bar}${tail}`.slice(0, (this.bar.columns ?? 80) - 1)}`);
    this.drawn = true;
  }

  /** A line that stays (an evaluation, a note). */
  say(text: string): void {
    const sink = this.tty ? this.bar : this.lines;
    if (this.tty && this.drawn) this.bar.write('\r\x1b[2K');
    sink.write(`${text}\n`);
    this.drawn = false;
    this.lastDraw = 0;
  }

  /** An evaluation, as one plain line. */
  evaluation(e: Evaluation): void {
    this.say(evaluationLine(e, this.total));
  }

  /** Leaves the terminal on a fresh line. */
  close(): void {
    if (this.tty && this.drawn) this.bar.write('\n');
    this.drawn = false;
  }
}
