import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SasError } from '@sas/core';
import { meanStd } from '@sas/studies';
import { type Flags, parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { lockOutDir } from '../experiment/lock.js';
import { runExperiment, STOP_EXIT } from '../experiment/orchestrate.js';
import { planRuns } from '../experiment/plan.js';
import { loadTwin, writeExperimentReport } from '../experiment/report.js';
import { sortResults } from '../experiment/results.js';
import { type ExperimentSpec, loadExperimentSpec } from '../experiment/spec.js';
import { parseInteger } from '../train/numbers.js';

const FLAGS = {
  out: 'string',
  parallel: 'string',
  resume: 'boolean',
  runs: 'string',
  seeds: 'string',
  backend: 'string',
  mode: 'string',
  threads: 'string',
  twin: 'string',
  json: 'boolean',
  verbose: 'boolean',
} as const;

/** The CLI's own executable, which each run is a child process of (`dist/main.js` beside `dist/commands/`). */
const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** Exit code when some runs failed (each named on stderr); the rest finished and are in the report. */
const RUNS_FAILED = 1;

/** Splits `SPEC.json [flags]`: the spec is the one argument that is not a flag. */
function specAndFlags(argv: readonly string[]): { specPath: string; flags: Flags } {
  const positional = argv.filter((a, i) => !a.startsWith('--') && (i === 0 || !(FLAGS[argv[i - 1].slice(2) as keyof typeof FLAGS] === 'string')));
  if (positional.length !== 1)
    throw new SasError('E_INPUT', `experiment: expected one SPEC.json, got ${positional.length ? positional.join(' ') : 'none'} (see 'sas experiment --help')`);
  const at = argv.indexOf(positional[0]);
  return { specPath: positional[0], flags: parseFlags([...argv.slice(0, at), ...argv.slice(at + 1)], FLAGS, 'experiment') };
}

function list(value: string | boolean | undefined, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value)
    .split(',')
    .map((s) => s.trim());
  if (items.some((s) => s === '')) throw new SasError('E_INPUT', `--${flag}: expected a comma-separated list, got '${value}'`);
  return items;
}

/** An out dir for a new experiment must be empty or new; `--resume` continues whatever is there. */
function prepareOutDir(dir: string, resume: boolean): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new SasError('E_IO', `--out ${dir}: is a file, not a directory`);
    const entries = readdirSync(dir);
    if (!resume && entries.length > 0)
      throw new SasError(
        'E_IO',
        `--out ${dir}: not empty (${entries.length} entries, e.g. ${entries[0]}); --resume to continue the experiment there, or choose another --out`,
      );
  } else {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new SasError('E_IO', `--out ${dir}: cannot create it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
}

/** The command that runs (or continues) the whole study, for the report. */
function studyCommand(spec: ExperimentSpec, outDir: string, flags: Flags): string {
  // relative to where it ran (the repository root under pnpm sas), unless it lies elsewhere
  const rel = (p: string) => {
    const r = relative(process.cwd(), resolve(p));
    return r === '' ? '.' : r.startsWith('..') ? resolve(p) : r;
  };
  return [
    `pnpm sas experiment ${rel(spec.path)} --out ${rel(outDir)}`,
    ...(['parallel', 'backend', 'mode', 'threads'] as const).flatMap((f) => (flags[f] === undefined ? [] : [`--${f} ${flags[f]}`])),
    ...(flags.twin === undefined ? [] : [`--twin ${rel(flags.twin as string)}`]),
  ].join(' ');
}

export const experimentCommand: Command = {
  name: 'experiment',
  summary: 'run a study: the runs of a spec × seeds, each a resumable sas train process, then a report with plots',
  usage: `sas experiment SPEC.json [--out DIR] [--parallel N] [--resume] [--runs a,b] [--seeds 1,2]
          [--backend NAME] [--mode M] [--threads N] [--twin DIR] [--json] [--verbose]

Trains every run of SPEC.json (experiments/README.md: run kinds, each the
options of 'sas train' in camelCase over a shared base, × the spec's seeds),
each in its own 'sas train' process with its checkpoint and log in DIR:
  DIR/<run>.seed<s>.ckpt     checkpoint (written at every evaluation)
  DIR/<run>.seed<s>.jsonl    evaluation log (--log of sas train)
  DIR/results.jsonl          one line per finished run: run, seed, its --json summary
  DIR/results.md             per run kind: mean ± std over seeds of the final
                             validation loss (mqar: and recall accuracy), params,
                             tokens/s, wall time; the plots; the twin comparison
  DIR/<metric>-step.svg, DIR/<metric>-wall.svg
                             the score against step and wall time, one colour per
                             run kind (thick: mean over seeds; thin: each seed)
Runs go seed-major (every kind's first seed first).

  --out DIR       default results/<spec name>; must be new or empty unless --resume
  --parallel N    runs trained at once (default 1; each uses the backend's threads,
                  see --threads)
  --resume        continue the experiment in DIR: finished runs are not run again,
                  stopped ones resume from their checkpoints bit for bit; a spec
                  changed under finished runs is refused
  --runs a,b      only these run kinds; --seeds 1,2 only these seeds
  --backend NAME / --mode M / --threads N
                  where every run trains (default: the spec's, else sas train's)
  --twin DIR      a PyTorch twin's results (DIR/summary.json, bench/torch/README.md):
                  compare each run kind with it in results.md (mqar)
  --json          at the end one JSON line on stdout (progress goes to stderr)

On a terminal one progress bar (runs done/total, the current runs' steps, ETA);
otherwise one line per event. Ctrl-C (or SIGTERM) stops every run after its
current step with its checkpoint saved, exit 130 (143); --resume continues.
Exit 0 when every selected run finished, 1 when some failed (each named; the
report covers the rest), 2 on bad input.`,
  async run(argv) {
    const { specPath, flags } = specAndFlags(argv);
    const spec = loadExperimentSpec(specPath);
    const outDir = (flags.out as string | undefined) ?? join('results', spec.name);
    const resume = flags.resume === true;
    const parallel = flags.parallel === undefined ? 1 : parseInteger(flags.parallel as string, 'parallel', { min: 1 });
    const seeds = list(flags.seeds, 'seeds')?.map((s) => parseInteger(s, 'seeds', { min: 0, max: 2 ** 32 - 1 }));
    const planned = planRuns(spec, resolve(outDir), { runs: list(flags.runs, 'runs'), seeds });
    const twin = flags.twin === undefined ? undefined : loadTwin(flags.twin as string, spec);
    const session = {
      ...(flags.backend === undefined ? {} : { backend: flags.backend as string }),
      ...(flags.mode === undefined ? {} : { mode: flags.mode as string }),
      ...(flags.threads === undefined ? {} : { threads: parseInteger(flags.threads as string, 'threads', { min: 1 }) }),
    };
    const json = flags.json === true;
    prepareOutDir(outDir, resume);
    const lock = lockOutDir(outDir);
    const resultsPath = join(resolve(outDir), 'results.jsonl');
    try {
      const outcome = await runExperiment({
        planned,
        outDir: resolve(outDir),
        resultsPath,
        parallel,
        session,
        command: [process.execPath, CLI_MAIN],
        lock,
        bar: process.stderr,
        lines: json ? process.stderr : process.stdout,
      });
      const say = (text: string) => (json ? process.stderr : process.stdout).write(`${text}\n`);
      if (outcome.stopped) {
        say(`stopped: ${outcome.skipped.length + outcome.finished.length} of ${planned.length} runs finished; continue with --resume`);
        return STOP_EXIT[outcome.stopped];
      }
      const order = spec.seeds.flatMap((seed) => spec.runs.map((r) => `${r.name}.seed${seed}`));
      if (existsSync(resultsPath)) sortResults(resultsPath, order);
      const report = await writeExperimentReport(spec, outDir, { command: studyCommand(spec, outDir, flags) }, twin);
      for (const f of outcome.failed) process.stderr.write(`sas: run ${f.id} failed: ${f.error}\n`);
      if (json) {
        process.stdout.write(
          `${JSON.stringify({
            spec: spec.name,
            out: resolve(outDir),
            runs: planned.length,
            skipped: outcome.skipped,
            finished: outcome.finished,
            failed: outcome.failed,
            results: resultsPath,
            report: [...report.files.keys()].map((f) => join(resolve(outDir), f)),
            kinds: report.kinds,
            ...(report.twin ? { twin: report.twin } : {}),
          })}\n`,
        );
      } else {
        for (const k of report.kinds)
          say(
            `${k.run}: ${k.seedsDone.length}/${spec.seeds.length} seeds${k.accuracy ? `, recall accuracy ${meanStd(k.accuracy, 1, 100)} %` : ''}${
              k.valLoss ? `, validation loss ${meanStd(k.valLoss, 4)}` : ''
            }`,
          );
        say(`report: ${join(outDir, 'results.md')} (${report.files.size - 1} plots); results: ${join(outDir, 'results.jsonl')}`);
      }
      return outcome.failed.length > 0 ? RUNS_FAILED : 0;
    } finally {
      lock.release();
    }
  },
};
