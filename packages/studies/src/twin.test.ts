import { describe, expect, it } from 'vitest';
import { SasError } from '@sas/core';
import { summarizeKinds } from './aggregate.js';
import { finishedRun, tinyStudy, twoPointLog } from './test-support/study.js';
import { compareWithTwin, parseTwinSummary, type TwinSummary } from './twin.js';

/** A summary.json in the layout bench/torch/mqar_twin.py writes (bench/torch/README.md), fields it has that we ignore included. */
const twinJson = (runs: object[]) =>
  JSON.stringify({
    spec: 'tiny',
    implementation: 'pytorch 1.13.0a0 (bench/torch/mqar_twin.py)',
    machine: 'x86_64, 2 cores, 1 thread(s) per run',
    written: '2026-12-04T17:51:48Z',
    seeds: [1, 2, 3],
    solvedAt: 0.9,
    runs,
  });
const twinRun = (run: string, seeds: number[], accuracies: number[]) => ({
  run,
  options: { attention: 'mha' },
  seedsDone: seeds,
  seedsMissing: [],
  accuracies,
  accuracyMean: accuracies.reduce((a, b) => a + b, 0) / accuracies.length,
  accuracyStd: 0,
  solved: false,
  valLossMean: 1,
});

describe('parseTwinSummary', () => {
  it("reads the twin's per-seed accuracies, and run kinds it has not started", () => {
    const t = parseTwinSummary(twinJson([twinRun('mha', [1, 2], [0.5, 0.6]), { run: 'sas', seedsDone: [], seedsMissing: [1, 2, 3] }]), 's.json');
    expect(t).toEqual({
      spec: 'tiny',
      implementation: 'pytorch 1.13.0a0 (bench/torch/mqar_twin.py)',
      machine: 'x86_64, 2 cores, 1 thread(s) per run',
      written: '2026-12-04T17:51:48Z',
      runs: [
        { run: 'mha', seedsDone: [1, 2], accuracies: [0.5, 0.6] },
        { run: 'sas', seedsDone: [], accuracies: [] },
      ],
    });
  });

  it('anything else is one E_INPUT line naming the file and the field', () => {
    for (const [text, message] of [
      ['{', /^s\.json: not valid JSON/],
      ['[]', /^s\.json: the file: expected a JSON object/],
      ['{"runs": []}', /^s\.json: spec: expected the spec's name, got nothing$/],
      ['{"spec": "x", "runs": 3}', /^s\.json: runs: expected a list of run kinds, got 3$/],
      [
        twinJson([{ run: 'mha', seedsDone: [1], accuracies: [1.5] }]),
        /^s\.json: run 'mha' accuracies: expected 1 accuracies in \[0, 1\], one per seed done, got \[1\.5\]$/,
      ],
      [twinJson([{ run: 'mha', seedsDone: [1, 2], accuracies: [0.5] }]), /^s\.json: run 'mha' accuracies: expected 2 accuracies/],
      [twinJson([{ seedsDone: [] }]), /^s\.json: runs\[0\]\.run: expected a run name, got nothing$/],
    ] as const) {
      let error: unknown;
      try {
        parseTwinSummary(text, 's.json');
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(SasError);
      expect((error as SasError).code).toBe('E_INPUT');
      expect((error as SasError).message, text).toMatch(message);
      expect((error as SasError).message).not.toContain('\n');
    }
  });
});

describe('compareWithTwin', () => {
  const twin = (runs: object[]): TwinSummary => parseTwinSummary(twinJson(runs), 'summary.json');

  it('same outcome and a difference within the larger seed spread', () => {
    // ours (tinyStudy): mha 0.90, 0.95, 1.00 → mean 0.95, std 0.05; twin 0.92, 0.94, 0.96 → mean 0.94, std 0.02
    const [mha] = compareWithTwin(summarizeKinds(tinyStudy()), twin([twinRun('mha', [1, 2, 3], [0.92, 0.94, 0.96])]));
    expect(mha).toMatchObject({ run: 'mha', oursSolved: true, twinSolved: true, sameOutcome: true, withinSpread: true });
    expect(mha.difference).toBeCloseTo(0.01, 15);
    expect(mha.spread).toBeCloseTo(0.05, 15);
  });

  it('a different outcome, and a gap larger than the spread, are reported as such', () => {
    const [mha] = compareWithTwin(summarizeKinds(tinyStudy()), twin([twinRun('mha', [1, 2, 3], [0.2, 0.25, 0.3])]));
    expect(mha).toMatchObject({ oursSolved: true, twinSolved: false, sameOutcome: false, withinSpread: false });
    expect(mha.difference).toBeCloseTo(0.7, 15);
  });

  it('two sides that agree exactly, with no spread on either, are within the spread (not "more than" it)', () => {
    const solvedEverywhere = { ...tinyStudy(), finished: [1, 2, 3].map((seed) => finishedRun('mha', seed, twoPointLog(1, 0.01))) };
    const [mha] = compareWithTwin(summarizeKinds(solvedEverywhere), twin([twinRun('mha', [1, 2, 3], [1, 1, 1])]));
    expect(mha).toMatchObject({ sameOutcome: true, difference: 0, spread: 0, withinSpread: true });
  });

  it('no verdict where a side has no seed, and no spread verdict where a side has only one', () => {
    const [mha, sas, gqa] = compareWithTwin(summarizeKinds(tinyStudy()), twin([twinRun('mha', [1], [0.97]), twinRun('sas', [1, 2], [0.3, 0.5])]));
    expect(mha).toMatchObject({ sameOutcome: true, spread: null, withinSpread: null }); // the twin has one seed
    expect(sas).toMatchObject({ sameOutcome: true, spread: null, withinSpread: null }); // we have one seed of sas
    expect(gqa).toMatchObject({ ours: null, twin: null, sameOutcome: null, difference: null, withinSpread: null });
  });
});
