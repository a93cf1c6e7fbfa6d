/** The tasks a study trains on (`sas train --task`). */
export type StudyTask = 'brown' | 'mqar';

/**
 * What a report reads of one line of an experiment's `results.jsonl`: the
 * `sas train --json` summary of a finished run (docs/training.md) with the
 * run kind's name and the seed. Other fields of the line are carried along
 * and ignored here.
 */
export interface RunResult {
  readonly run: string;
  readonly seed: number;
  readonly task: StudyTask;
  readonly attention: string;
  readonly params: number;
  readonly trainableParams: number;
  readonly steps: number;
  readonly valLoss: number | null;
  /** mqar only: recall accuracy of the last evaluation. */
  readonly accuracy?: number | null;
  readonly tokensPerSecond: number | null;
  readonly wallSeconds: number;
  readonly backend: string;
  readonly mode: string;
}

/** One evaluation of a run: what a report reads of a line of its `--log` file. */
export interface LogPoint {
  readonly step: number;
  readonly wallSeconds: number;
  readonly valLoss: number;
  readonly accuracy?: number;
}

/** A finished run: its summary and its evaluation log. */
export interface FinishedRun {
  readonly result: RunResult;
  readonly log: readonly LogPoint[];
}

/** A study as the report sees it: the spec's run kinds and seeds, and the runs that finished. */
export interface Study {
  readonly name: string;
  readonly task: StudyTask;
  /** Run kinds in the spec's order (the order of tables and legends). */
  readonly runs: readonly string[];
  readonly seeds: readonly number[];
  readonly finished: readonly FinishedRun[];
}

/** The score a study's plots and tables are about: validation loss (brown, mqar) and recall accuracy (mqar). */
export type Metric = 'valLoss' | 'accuracy';
