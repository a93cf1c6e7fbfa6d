import { describe, expect, it } from 'vitest';
import { ExperimentProgress } from './progress.js';

/** A sink that keeps what is written to it. */
const sink = (isTTY: boolean) => {
  const out = { isTTY, columns: 200, text: '', write: (s: string) => (out.text += s) };
  return out;
};

describe('ExperimentProgress', () => {
  it('without a terminal: one plain line per event, nothing else', () => {
    const bar = sink(false);
    const lines = sink(false);
    const p = new ExperimentProgress(bar, lines, { runs: 4, done: 1, steps: 120, stepsDone: 30 });
    p.started('sas.seed1', 30, 20);
    p.evaluated('sas.seed1', 30, 'step 30/30  train 2.1');
    p.finished('sas.seed1', 'accuracy 12.1%');
    p.ended('mha.seed2', 'failed: boom');
    p.close();
    expect(bar.text).toBe('');
    expect(lines.text.split('\n')).toEqual([
      '[sas.seed1] resumes at step 20 (2/4)',
      '[sas.seed1] step 30/30  train 2.1',
      '[sas.seed1] done: accuracy 12.1% (2/4 runs done)',
      '[mha.seed2] failed: boom',
      '',
    ]);
  });

  it('on a terminal: the bar shows runs done, the current runs’ steps and an ETA from this session’s pace', () => {
    const bar = sink(true);
    const p = new ExperimentProgress(bar, sink(false), { runs: 4, done: 1, steps: 120, stepsDone: 30 });
    const t0 = performance.now();
    expect(p.status(t0)).toMatch(/^runs 1\/4 \[=====\s{15}\] {2}0:00 ETA --:--$/); // no pace yet: no ETA
    p.started('mha.seed2', 30, 0);
    p.started('sas.seed2', 30, 0);
    p.evaluated('mha.seed2', 10, 'step 10/30');
    p.evaluated('sas.seed2', 20, 'step 20/30');
    // 30 steps in this session over 60 s; 60 steps left → 120 s
    expect(p.status(t0 + 60_000)).toMatch(/^runs 1\/4 \[=+\s*\] {2}1:00 ETA 2:00 {2}mha\.seed2 10\/30, sas\.seed2 20\/30$/);
    expect(bar.text).toContain('[mha.seed2] step 10/30\n'); // events stay above the bar
    p.finished('sas.seed2', 'ok'); // it trained its last 10 steps: 40 steps in this session over 60 s; 50 left → 75 s
    expect(p.status(t0 + 60_000)).toMatch(/^runs 2\/4 .* {2}1:00 ETA 1:15 {2}mha\.seed2 10\/30$/);
    p.close();
    expect(bar.text.endsWith('\r\x1b[2K')).toBe(true); // the bar is cleared on close
  });
});
