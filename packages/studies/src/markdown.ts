import { type KindSummary, SOLVED_AT } from './aggregate.js';
import { clock, grouped, meanStd, seedList } from './format.js';
import { METRIC_LABEL, type PlotSpec } from './plots.js';
import type { TwinComparison, TwinSummary } from './twin.js';
import type { Study } from './types.js';

/** Where and how a study ran, for the report's header (all optional). */
export interface ReportContext {
  /** The day the report was written (`2026-12-05`). */
  readonly date?: string;
  /** The machine writing the report (`2 × AMD EPYC, 24 GiB, linux, Node v20.20.2`). */
  readonly machine?: string;
  /** The command that runs (or continues) the study. */
  readonly command?: string;
}

const yesNo = (b: boolean | null) => (b === null ? '–' : b ? 'yes' : 'no');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function seedsCell(k: KindSummary, all: number): string {
  if (k.seedsDone.length === all) return `${all}/${all}`;
  return `${k.seedsDone.length}/${all}${k.seedsMissing.length ? ` (missing ${seedList(k.seedsMissing)})` : ''}`;
}

function paramsCell(k: KindSummary): string {
  if (k.params === null) return '–';
  return k.trainableParams !== null && k.trainableParams !== k.params ? `${grouped(k.params)} (${grouped(k.trainableParams)} trained)` : grouped(k.params);
}

function scoreTable(study: Study, kinds: readonly KindSummary[]): string[] {
  const mqar = study.task === 'mqar';
  const head = [
    'run',
    'seeds',
    ...(mqar ? ['recall accuracy (%)', `solved (≥ ${SOLVED_AT * 100}%)`] : []),
    'validation loss',
    'params',
    'tokens/s',
    'wall time',
  ];
  const rows = kinds.map((k) => [
    k.run,
    seedsCell(k, study.seeds.length),
    ...(mqar ? [meanStd(k.accuracy, 1, 100), yesNo(k.solved)] : []),
    meanStd(k.valLoss, 4),
    paramsCell(k),
    k.tokensPerSecond === null ? '–' : grouped(k.tokensPerSecond),
    k.wallSeconds === null ? '–' : k.wallSeconds < 60 ? `${k.wallSeconds.toFixed(1)} s` : clock(k.wallSeconds),
  ]);
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** One plain sentence per run kind that has both sides. */
function twinSentence(c: TwinComparison): string {
  if (c.ours === null || c.twin === null)
    return `- **${c.run}**: ${c.ours === null ? 'no finished run of ours' : 'no finished twin run'}, nothing to compare yet.`;
  const side = (s: NonNullable<TwinComparison['ours']>, solved: boolean | null) =>
    `${pct(s.mean)}${s.std === null ? '' : ` ± ${(s.std * 100).toFixed(1)}`} over ${s.n} seed${s.n === 1 ? '' : 's'}, ${solved ? 'solved' : 'not solved'}`;
  const outcome = c.sameOutcome ? 'the same outcome' : '**a different outcome**';
  const gap = `the means differ by ${(Math.abs(c.difference!) * 100).toFixed(1)} points`;
  const spread =
    c.withinSpread === null
      ? 'no seed spread to hold that against (fewer than two seeds on a side)'
      : c.withinSpread
        ? `within the seed spread (${(c.spread! * 100).toFixed(1)})`
        : `**more than the seed spread** (${(c.spread! * 100).toFixed(1)})`;
  return `- **${c.run}**: ours ${side(c.ours, c.oursSolved)}; twin ${side(c.twin, c.twinSolved)}: ${outcome}, ${gap}, ${spread}.`;
}

function twinSection(comparisons: readonly TwinComparison[], twin: TwinSummary, source: string): string[] {
  const both = comparisons.filter((c) => c.sameOutcome !== null);
  const same = both.filter((c) => c.sameOutcome).length;
  const spreadKnown = both.filter((c) => c.withinSpread !== null);
  const within = spreadKnown.filter((c) => c.withinSpread).length;
  const cell = (s: TwinComparison['ours']) => meanStd(s, 1, 100);
  return [
    `## Against the twin`,
    '',
    `Twin: ${twin.implementation}, \`${source}\`${twin.written ? `, written ${twin.written}` : ''}${twin.machine ? ` (${twin.machine})` : ''}.`,
    `A run kind is solved when its mean final recall accuracy over seeds is ≥ ${SOLVED_AT * 100}%. The seed spread is the larger`,
    `of the two sides' sample standard deviations (n − 1) of the final accuracy; both sides' statistics are computed here from`,
    'the per-seed accuracies. The two implementations draw different data (different generators): they compare outcomes, not bits.',
    '',
    `| run | ours (%) | twin (%) | ours solved | twin solved | same outcome | difference (points) | seed spread | within spread |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...comparisons.map(
      (c) =>
        `| ${c.run} | ${cell(c.ours)} | ${cell(c.twin)} | ${yesNo(c.oursSolved)} | ${yesNo(c.twinSolved)} | ${yesNo(c.sameOutcome)} | ${
          c.difference === null ? '–' : (c.difference * 100).toFixed(1)
        } | ${c.spread === null ? '–' : (c.spread * 100).toFixed(1)} | ${yesNo(c.withinSpread)} |`,
    ),
    '',
    `In short: ${same} of ${both.length} run kinds with results on both sides land in the same outcome; ${within} of ${spreadKnown.length} with a seed spread on both sides differ by no more than it${
      comparisons.length > both.length ? ` (${comparisons.length - both.length} kind(s) lack results on a side)` : ''
    }.`,
    '',
    ...comparisons.map(twinSentence),
  ];
}

/**
 * The study's `results.md`: what ran where, per run kind the final scores as
 * mean ± sample std over seeds with params, tokens/s and wall time, the
 * plots, and (given a twin) the comparison with it, stated plainly.
 *
 * @example
 * ```ts
 * const kinds = summarizeKinds(study);
 * const md = resultsMarkdown(study, kinds, reportPlots(study.task), { date: '2026-12-05' });
 * ```
 */
export function resultsMarkdown(
  study: Study,
  kinds: readonly KindSummary[],
  plots: readonly PlotSpec[],
  context: ReportContext = {},
  twin?: { summary: TwinSummary; source: string; comparisons: readonly TwinComparison[] },
): string {
  const total = study.runs.length * study.seeds.length;
  const done = kinds.reduce((n, k) => n + k.seedsDone.length, 0);
  const backends = [...new Set(kinds.flatMap((k) => k.backends))];
  const final = study.task === 'mqar' ? 'recall accuracy and validation loss' : 'validation loss';
  const lines = [
    `# Study \`${study.name}\``,
    '',
    `Task \`${study.task}\`, ${study.runs.length} run kinds × seeds ${seedList(study.seeds)}: ${done} of ${total} runs finished${
      backends.length ? `, on ${backends.join(', ')}` : ''
    }.`,
    // the machine that wrote the report; each run's backend is in results.jsonl
    ...(context.date || context.machine ? [`Report written${context.date ? ` ${context.date}` : ''}${context.machine ? ` on ${context.machine}` : ''}.`] : []),
    ...(context.command ? ['', '```bash', context.command, '```'] : []),
    '',
    '## Final scores',
    '',
    `The last evaluation's ${final} of each run, as mean ± sample standard deviation (n − 1) over the seeds that finished`,
    '(just the mean with one seed); params (trained ones where some are frozen); training tokens per second of step time and',
    'wall time (training and evaluation), each the mean over seeds.',
    '',
    ...scoreTable(study, kinds),
    '',
  ];
  if (done > 0) {
    lines.push('## Curves', '', 'Each run kind in its own colour: the thick line is the mean over seeds, the thin lines each seed.', '');
    for (const p of plots) lines.push(`![${METRIC_LABEL[p.metric]} against ${p.axis === 'step' ? 'step' : 'wall time'}](${p.file})`, '');
  }
  if (twin) lines.push(...twinSection(twin.comparisons, twin.summary, twin.source), '');
  return `${lines.join('\n').trimEnd()}\n`;
}
