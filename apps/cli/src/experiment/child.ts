import { spawn } from 'node:child_process';
import type { RunSummary } from '../train/summary.js';

/** How a `sas train` child ended. */
export interface TrainRunExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Its `--json` summary (the last line of its stdout), when it printed one. */
  readonly summary: RunSummary | null;
  /** Its error line (`sas: …` without the prefix), when it failed with one. */
  readonly error: string | null;
}

/** A running `sas train` child. */
export interface TrainRun {
  readonly pid: number | undefined;
  /** Sends a signal: SIGINT makes it checkpoint after its current step and exit 130; a second SIGINT quits at once. */
  kill(signal: 'SIGINT' | 'SIGTERM'): void;
  readonly exit: Promise<TrainRunExit>;
}

/** The evaluation lines `sas train` prints (docs/training.md): `step 100/600  train …`. */
export const EVALUATION_LINE = /^step (\d+)\/(\d+) {2}/;

/** Calls `onLine` with each complete line of a stream of text chunks. */
function lines(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (const p of parts) onLine(p);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/**
 * Starts `command` (node and the CLI's main.js) with `train` and `args` in
 * a process group of its own, so a Ctrl-C at the terminal reaches only the
 * experiment, which forwards exactly one SIGINT per child (two would make a
 * child quit without its checkpoint). Each evaluation line the child prints
 * goes to `onEvaluation`; its last line on stdout is its `--json` summary.
 *
 * @example
 * ```ts
 * const run = startTrainRun([process.execPath, 'apps/cli/dist/main.js'], ['--task', 'mqar', '--steps', '20', '--json'], console.log);
 * const { code, summary } = await run.exit;
 * ```
 */
export function startTrainRun(command: readonly string[], args: readonly string[], onEvaluation: (line: string, step: number) => void): TrainRun {
  const child = spawn(command[0], [...command.slice(1), 'train', ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let error: string | null = null;
  let lastOther: string | null = null;
  const stderr = lines((line) => {
    const m = EVALUATION_LINE.exec(line);
    if (m) onEvaluation(line, Number(m[1]));
    else if (line.startsWith('sas: ')) error = line.slice('sas: '.length);
    else if (line.trim() && !/^(Ctrl-C|SIGTERM): stopping/.test(line)) lastOther = line.trim();
  });
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const exit = new Promise<TrainRunExit>((resolve) => {
    let spawnError: string | null = null;
    child.on('error', (e) => {
      spawnError = `cannot start ${command.join(' ')}: ${e.message}`;
      if (child.pid === undefined) resolve({ code: null, signal: null, summary: null, error: spawnError }); // it never ran
    });
    child.on('close', (code, signal) => {
      stderr.end();
      let summary: RunSummary | null = null;
      const last = stdout.trimEnd().split('\n').at(-1);
      try {
        summary = last ? (JSON.parse(last) as RunSummary) : null;
      } catch {
        summary = null;
      }
      resolve({ code, signal, summary, error: spawnError ?? error ?? (code === 0 ? null : lastOther) });
    });
  });
  return {
    pid: child.pid,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exit,
  };
}
