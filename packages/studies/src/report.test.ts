import { describe, expect, it } from 'vitest';
import { summarizeKinds } from './aggregate.js';
import { resultsMarkdown } from './markdown.js';
import { curveChart, renderSvg, reportPlots } from './plots.js';
import { renderStudyReport } from './report.js';
import { tinyStudy } from './test-support/study.js';
import { parseTwinSummary } from './twin.js';

const lineOf = (md: string, start: string) => md.split('\n').find((l) => l.startsWith(start));

describe('results.md', () => {
  const study = tinyStudy();
  const md = resultsMarkdown(study, summarizeKinds(study), reportPlots('mqar'), {
    date: '2026-12-05',
    machine: 'test box',
    command: 'pnpm sas experiment x.json',
  });

  it('says what ran, where, and how to run it again', () => {
    expect(md).toMatch(/^# Study `tiny`\n/);
    expect(md).toContain('Task `mqar`, 3 run kinds × seeds 1, 2, 3: 4 of 9 runs finished, on ndarray (cpu).');
    expect(md).toContain('Report written 2026-12-05 on test box.');
    expect(md).toContain('```bash\npnpm sas experiment x.json\n```');
  });

  it('one table row per run kind: seeds, accuracy and loss as mean ± std, solved, params, tokens/s, wall time', () => {
    expect(lineOf(md, '| run |')).toBe('| run | seeds | recall accuracy (%) | solved (≥ 90%) | validation loss | params | tokens/s | wall time |');
    expect(lineOf(md, '| mha |')).toBe('| mha | 3/3 | 95.0 ± 5.0 | yes | 1.2000 ± 0.1000 | 1 000 | 2 000 | 4.5 s |');
    expect(lineOf(md, '| sas |')).toBe('| sas | 1/3 (missing 2, 3) | 40.0 | no | 2.5000 | 1 200 (1 100 trained) | 2 000 | 2.5 s |');
    expect(lineOf(md, '| gqa |')).toBe('| gqa | 0/3 (missing 1, 2, 3) | – | – | – | – | – | – |');
  });

  it('shows every plot of the task', () => {
    for (const file of ['accuracy-step.svg', 'accuracy-wall.svg', 'valLoss-step.svg', 'valLoss-wall.svg']) expect(md).toContain(`](${file})`);
  });

  it('brown: validation loss only; a wall time of a minute or more as m:ss', () => {
    const long = study.finished.map((f) => ({ ...f, result: { ...f.result, wallSeconds: 3909 } }));
    const brown = { ...study, task: 'brown' as const, finished: long };
    const text = resultsMarkdown(brown, summarizeKinds(brown), reportPlots('brown'));
    expect(lineOf(text, '| run |')).toBe('| run | seeds | validation loss | params | tokens/s | wall time |');
    expect(text).not.toContain('accuracy-step.svg');
    expect(text).toContain('](valLoss-wall.svg)');
    expect(lineOf(text, '| mha |')).toBe('| mha | 3/3 | 1.2000 ± 0.1000 | 1 000 | 2 000 | 1:05:09 |');
  });
});

describe('plots', () => {
  it('the mean line of each kind goes through its mean accuracy at each step (read back from the SVG)', async () => {
    const svg = await renderSvg(curveChart(tinyStudy(), { metric: 'accuracy', axis: 'step', file: 'accuracy-step.svg' }));
    expect(svg.startsWith('<svg')).toBe(true);
    // 560 × 320 plot, accuracy axis 0..1 (y = 320·(1 − a)), steps 0..20 across the width (x = 28·step):
    // mha's mean is 0.475 at step 10 and 0.95 at 20; sas (one seed) 0.2 and 0.4
    const path = (series: string) => new RegExp(`aria-label="[^"]*series: ${series}"[^>]* d="([^"]+)"`).exec(svg)?.[1];
    expect(path('mha mean')).toBe('M280,168L560,16');
    expect(path('sas mean')).toBe('M280,256L560,192');
    for (const seed of [1, 2, 3]) expect(path(`mha seed ${seed}`)).toBeDefined();
    expect(path('gqa mean')).toBeUndefined(); // no finished seed
    expect(svg).toContain("Symbol legend titled 'run' for stroke color with 3 values: mha, sas, gqa");
    expect(svg).toContain('tiny: recall accuracy against step');
  });

  it('the legend names each run kind in full, however long (MQAR ablations share a long prefix)', async () => {
    const long = 'sas-identity-frozen-maps-and-a-long-tail';
    const base = tinyStudy();
    const study = {
      ...base,
      runs: [long, 'sas'],
      finished: base.finished.map((r) => (r.result.run === 'mha' ? { ...r, result: { ...r.result, run: long } } : r)),
    };
    const svg = await renderSvg(curveChart(study, { metric: 'accuracy', axis: 'step', file: 'accuracy-step.svg' }));
    expect(svg).toContain(`>${long}</text>`);
    expect(svg).not.toContain('…</text>');
  });

  it('wall time goes on its own axis, in a unit that keeps numbers short', async () => {
    const spec = curveChart(tinyStudy(), { metric: 'valLoss', axis: 'wall', file: 'valLoss-wall.svg' }) as { layer: { encoding: { x: { title: string } } }[] };
    expect(spec.layer[0].encoding.x.title).toBe('wall time (s)');
    const svg = await renderSvg(spec as never);
    expect(svg).toContain("X-axis titled 'wall time (s)'");
  });
});

describe('renderStudyReport', () => {
  it('results.md and the four mqar plots; with a twin, a comparison section stated plainly', async () => {
    const twin = parseTwinSummary(
      JSON.stringify({
        spec: 'tiny',
        implementation: 'pytorch',
        runs: [
          { run: 'mha', seedsDone: [1, 2, 3], accuracies: [0.2, 0.25, 0.3] },
          { run: 'sas', seedsDone: [1, 2], accuracies: [0.35, 0.45] },
        ],
      }),
      'twin/summary.json',
    );
    const report = await renderStudyReport(tinyStudy(), {}, { summary: twin, source: 'twin/summary.json' });
    expect([...report.files.keys()]).toEqual(['results.md', 'accuracy-step.svg', 'accuracy-wall.svg', 'valLoss-step.svg', 'valLoss-wall.svg']);
    const md = report.files.get('results.md')!;
    expect(md).toContain('## Against the twin');
    expect(lineOf(md, '| mha | 95.0')).toBe('| mha | 95.0 ± 5.0 | 25.0 ± 5.0 | yes | no | no | 70.0 | 5.0 | no |');
    expect(md).toContain('In short: 1 of 2 run kinds with results on both sides land in the same outcome; 0 of 1 with a seed spread on both sides');
    expect(md).toContain('- **mha**: ours 95.0% ± 5.0 over 3 seeds, solved; twin 25.0% ± 5.0 over 3 seeds, not solved: **a different outcome**');
    expect(md).toContain('**more than the seed spread** (5.0)');
    expect(md).toContain('- **sas**: ours 40.0% over 1 seed, not solved; twin 40.0% ± 7.1 over 2 seeds, not solved: the same outcome');
    expect(md).toContain('- **gqa**: no finished run of ours, nothing to compare yet.');
  });

  it('before any run finished: the table, no plots', async () => {
    const report = await renderStudyReport({ ...tinyStudy(), finished: [] });
    expect([...report.files.keys()]).toEqual(['results.md']);
    expect(report.files.get('results.md')).not.toContain('## Curves');
  });
});
