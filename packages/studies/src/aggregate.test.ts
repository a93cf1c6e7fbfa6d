import { describe, expect, it } from 'vitest';
import { studyCurves, summarizeKinds } from './aggregate.js';
import { mean, sampleStd, seedStat } from './stats.js';
import { finishedRun, tinyStudy, twoPointLog } from './test-support/study.js';

describe('stats over seeds', () => {
  it('mean and the sample standard deviation (n − 1), by their definitions', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    // Σ(x − 2.5)² = 2.25 + 0.25 + 0.25 + 2.25 = 5; / (4 − 1)
    expect(sampleStd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 15);
    // an arithmetic progression a, a + d, a + 2d has sample std d
    expect(sampleStd([0.9, 0.95, 1.0])).toBeCloseTo(0.05, 15);
  });

  it('one seed has no spread (null, not 0), and no seed no statistic', () => {
    expect(sampleStd([0.7])).toBeNull();
    expect(seedStat([0.7])).toEqual({ n: 1, mean: 0.7, std: null, min: 0.7, max: 0.7 });
    expect(seedStat([])).toBeNull();
  });
});

describe('summarizeKinds', () => {
  it('per run kind in spec order: seeds done and missing, mean ± std of the final scores, params, means of speed and time', () => {
    const [mha, sas, gqa] = summarizeKinds(tinyStudy());
    expect(mha.run).toBe('mha');
    expect(mha.seedsDone).toEqual([1, 2, 3]); // the spec's seed order, not the order they finished in
    expect(mha.seedsMissing).toEqual([]);
    expect(mha.accuracy!.mean).toBeCloseTo(0.95, 15);
    expect(mha.accuracy!.std).toBeCloseTo(0.05, 15);
    expect(mha.valLoss!.mean).toBeCloseTo(1.2, 15);
    expect(mha.valLoss!.std).toBeCloseTo(0.1, 15);
    expect(mha.solved).toBe(true);
    expect(mha.tokensPerSecond).toBe(2000);
    expect(mha.wallSeconds).toBeCloseTo((2.5 + 4.5 + 6.5) / 3, 15);
    expect(mha.backends).toEqual(['ndarray (cpu)']);
    expect(sas).toMatchObject({ seedsDone: [1], seedsMissing: [2, 3], solved: false, params: 1200, trainableParams: 1100 });
    expect(sas.accuracy).toEqual({ n: 1, mean: 0.4, std: null, min: 0.4, max: 0.4 });
    expect(gqa).toMatchObject({ seedsDone: [], seedsMissing: [1, 2, 3], accuracy: null, valLoss: null, solved: null, params: null, wallSeconds: null });
  });

  it('brown has no accuracy and no solved', () => {
    const study = { ...tinyStudy(), task: 'brown' as const };
    const [mha] = summarizeKinds(study);
    expect(mha.accuracy).toBeNull();
    expect(mha.solved).toBeNull();
    expect(mha.valLoss!.n).toBe(3);
  });

  it('the 0.9 threshold is inclusive: a mean of exactly 0.9 solves', () => {
    const study = { ...tinyStudy(), runs: ['k'], seeds: [1], finished: [finishedRun('k', 1, twoPointLog(0.9, 1))] };
    expect(summarizeKinds(study)[0].solved).toBe(true);
  });
});

describe('studyCurves', () => {
  it('each seed its own curve, and per kind the mean of value and wall time at each step', () => {
    const { seeds, means } = studyCurves(tinyStudy(), 'accuracy');
    expect(seeds.map((c) => `${c.run}.${c.seed}`)).toEqual(['mha.1', 'mha.2', 'mha.3', 'sas.1']);
    expect(means.map((c) => c.run)).toEqual(['mha', 'sas']); // gqa has no finished seed: no line
    const [mha] = means;
    expect(mha.points.map((p) => p.step)).toEqual([10, 20]);
    expect(mha.points[1].value).toBeCloseTo(0.95, 15);
    expect(mha.points[0].value).toBeCloseTo(0.475, 15);
    expect(mha.points[1].wallSeconds).toBeCloseTo(4, 15); // (2 + 4 + 6) / 3
    expect(studyCurves(tinyStudy(), 'valLoss').means[0].points[1].value).toBeCloseTo(1.2, 15);
  });

  it('the mean line keeps only the steps every seed evaluated', () => {
    const short = [{ step: 10, wallSeconds: 1, valLoss: 3, accuracy: 0.1 }];
    const study = { ...tinyStudy(), runs: ['k'], finished: [finishedRun('k', 1, twoPointLog(0.5, 1)), finishedRun('k', 2, short)] };
    const { means } = studyCurves(study, 'accuracy');
    expect(means[0].points).toEqual([{ step: 10, wallSeconds: 1, value: (0.25 + 0.1) / 2 }]);
  });
});
