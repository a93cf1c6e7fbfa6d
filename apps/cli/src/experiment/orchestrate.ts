import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SasError } from '@sas/core';
import { readRunCheckpoint } from '../train/checkpoint.js';
import type { ProgressSink } from '../train/progress.js';
import { startTrainRun, type TrainRun } from './child.js';
import type { OutDirLock } from './lock.js';
import { optionChange, type PlannedRun } from './plan.js';
import { ExperimentProgress } from './progress.js';
import { appendResult, type ResultLine, readResults } from './results.js';
import type { RunSession } from './spec.js';

/** What an experiment session runs, and how. */
export interface ExperimentSession {
  /** The runs selected (spec order, seed-major). */
  readonly planned: readonly PlannedRun[];
  readonly outDir: string;
  readonly resultsPath: string;
  /** Runs trained at once. */
  readonly parallel: number;
  /** Session flags given on the experiment's command line; they override the spec's. */
  readonly session: RunSession;
  /** How to run the CLI: node and its main.js. */
  readonly command: readonly string[];
  readonly lock: OutDirLock;
  /** Where the progress bar (a terminal) and the plain lines go. */
  readonly bar: ProgressSink;
  readonly lines: ProgressSink;
}

/** The signals that stop an experiment, and the exit code each gives (128 + its number). */
export const STOP_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof STOP_EXIT;

/** How a session ended. */
export interface ExperimentOutcome {
  /** The signal that stopped it, if one did. */
  readonly stopped: StopSignal | undefined;
  /** Runs already finished before this session. */
  readonly skipped: readonly string[];
  /** Runs finished in this session. */
  readonly finished: readonly string[];
  /** Runs that failed, with their error line. */
  readonly failed: readonly { readonly id: string; readonly error: string }[];
}

/** Temporary checkpoint files a killed run left behind (`.<id>.ckpt.<pid>.<hex>.tmp`, docs/training.md). */
function removeLeftovers(checkpoint: string): void {
  const dir = dirname(checkpoint);
  const prefix = `.${basename(checkpoint)}.`;
  for (const name of readdirSync(dir)) if (name.startsWith(prefix) && /\.\d+\.[0-9a-f]+\.tmp$/.test(name)) rmSync(join(dir, name), { force: true });
}

/** The session flags of a run: the command line's, else the spec's. */
function sessionFlags(run: PlannedRun, cli: RunSession): string[] {
  const s = { ...run.session, ...cli };
  return [...(s.backend ? ['--backend', s.backend] : []), ...(s.mode ? ['--mode', s.mode] : []), ...(s.threads ? ['--threads', String(s.threads)] : [])];
}

/** The finished runs among `planned`, refusing results that no longer match the spec. */
function finishedBefore(planned: readonly PlannedRun[], resultsPath: string): Set<string> {
  const results = readResults(resultsPath);
  const done = new Set<string>();
  for (const run of planned) {
    const line = results.find((r) => r.run === run.run && r.seed === run.seed);
    if (!line) continue;
    const change = optionChange(line.options, run.options);
    if (change)
      throw new SasError(
        'E_INPUT',
        `${resultsPath}: run '${run.run}' seed ${run.seed} finished with other options than the spec gives now: ${change}; restore the spec, or use another --out`,
      );
    done.add(run.id);
  }
  return done;
}

/** The step a run's checkpoint stands at (0 without one), refusing a checkpoint of other options than the spec's. */
function checkpointStep(run: PlannedRun): number {
  if (!existsSync(run.checkpoint)) return 0;
  const saved = readRunCheckpoint(run.checkpoint);
  const change = optionChange(saved.run, run.options);
  if (change)
    throw new SasError('E_INPUT', `${run.checkpoint}: holds a run of other options than the spec gives now: ${change}; restore the spec, or use another --out`);
  return saved.progress.step;
}

/** A finished run's line of `results.jsonl`: its summary with run and seed first, the checkpoint relative to the out dir. */
function resultLine(run: PlannedRun, summary: NonNullable<Awaited<TrainRun['exit']>['summary']>): ResultLine {
  return { run: run.run, seed: run.seed, ...summary, checkpoint: basename(run.checkpoint) };
}

/** A finished run in a few words. */
function finishNote(s: ResultLine): string {
  return [
    s.accuracy == null ? '' : `accuracy ${(s.accuracy * 100).toFixed(1)}%`,
    s.valLoss === null ? '' : `val ${s.valLoss.toFixed(4)}`,
    `${s.wallSeconds.toFixed(1)} s`,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * Trains every selected run that has not finished, `parallel` at a time,
 * each as its own `sas train` process with its own checkpoint and log in
 * the out dir: a run with a checkpoint resumes it (bit for bit), a finished
 * run is not run again. A finished run's summary is appended to
 * `results.jsonl` as soon as it ends. SIGINT (Ctrl-C), SIGTERM and SIGHUP
 * stop the experiment: no new run starts, each running one gets one signal,
 * saves its checkpoint after its current step and exits; a second signal
 * makes them quit at once (their last checkpoint stays whole).
 *
 * @example
 * ```ts
 * const outcome = await runExperiment({ planned, outDir, resultsPath, parallel: 1, session: {}, command, lock,
 *   bar: process.stderr, lines: process.stdout });
 * if (outcome.stopped) process.exitCode = STOP_EXIT[outcome.stopped];
 * ```
 */
export async function runExperiment(x: ExperimentSession): Promise<ExperimentOutcome> {
  const done = finishedBefore(x.planned, x.resultsPath);
  const todo = x.planned.filter((r) => !done.has(r.id));
  const startSteps = new Map(todo.map((r) => [r.id, checkpointStep(r)]));
  const stepsOf = (r: PlannedRun) => r.options.steps;
  const progress = new ExperimentProgress(x.bar, x.lines, {
    runs: x.planned.length,
    done: done.size,
    steps: x.planned.reduce((n, r) => n + stepsOf(r), 0),
    stepsDone: x.planned.reduce((n, r) => n + (done.has(r.id) ? stepsOf(r) : startSteps.get(r.id)!), 0),
  });
  if (done.size > 0) progress.say(`${done.size} of ${x.planned.length} runs already finished`);

  const active = new Map<string, TrainRun>();
  const finished: string[] = [];
  const failed: { id: string; error: string }[] = [];
  let stopped: StopSignal | undefined;
  let fatal: unknown;
  const record = () => x.lock.children([...active.values()].flatMap((c) => (c.pid === undefined ? [] : [c.pid])));
  const stopAll = (signal: 'SIGINT' | 'SIGTERM') => {
    for (const child of active.values()) child.kill(signal);
  };
  const onSignal = (signal: StopSignal) => {
    const forward = signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
    if (stopped) return stopAll(forward); // asked twice: the runs quit at once, their last checkpoints whole
    stopped = signal;
    progress.say(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping; each run saves its checkpoint after its current step (again to quit at once)`);
    stopAll(forward);
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM'), SIGHUP: () => onSignal('SIGHUP') };
  // Should this process die of an error, its runs must not train on unwatched.
  const onExit = () => stopAll('SIGTERM');
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  process.on('exit', onExit);

  const trainOne = async (run: PlannedRun) => {
    removeLeftovers(run.checkpoint);
    const args = [
      ...run.trainFlags,
      ...sessionFlags(run, x.session),
      '--checkpoint',
      run.checkpoint,
      '--log',
      run.log,
      '--json',
      // without a checkpoint, a log left by a run killed before its first checkpoint is ours to replace
      existsSync(run.checkpoint) ? '--resume' : '--force',
    ];
    progress.started(run.id, stepsOf(run), startSteps.get(run.id)!);
    const child = startTrainRun(x.command, args, (line, step) => progress.evaluated(run.id, step, line));
    active.set(run.id, child);
    record();
    const r = await child.exit;
    active.delete(run.id);
    record();
    if (r.code === 0 && r.summary?.outcome === 'done') {
      const line = resultLine(run, r.summary);
      appendResult(x.resultsPath, line);
      finished.push(run.id);
      progress.finished(run.id, finishNote(line));
    } else if (stopped && (r.code === 130 || r.code === 143 || r.signal !== null)) {
      // 130/143: it saved its checkpoint; killed by the signal itself: it was still starting, before any step
      progress.ended(run.id, r.summary ? `stopped at step ${r.summary.steps}, checkpoint saved` : 'stopped');
    } else {
      const error = r.error ?? `sas train exited with ${r.code ?? r.signal}`;
      failed.push({ id: run.id, error });
      progress.ended(run.id, `failed: ${error}`);
    }
  };

  const queue = [...todo];
  const worker = async () => {
    while (!stopped && fatal === undefined && queue.length > 0) {
      try {
        await trainOne(queue.shift()!);
      } catch (e) {
        // e.g. results.jsonl cannot be written: stop the others cleanly, then report it
        if (fatal === undefined) fatal = e;
        stopAll('SIGTERM');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(x.parallel, todo.length)) }, worker));
  } finally {
    for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
    process.off('exit', onExit);
    progress.close();
  }
  if (fatal !== undefined) throw fatal;
  return { stopped, skipped: [...done], finished, failed };
}
