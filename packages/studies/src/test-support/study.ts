import type { FinishedRun, LogPoint, RunResult, Study } from '../types.js';

/** A finished mqar run for tests: its final scores are its log's last line. */
export function finishedRun(run: string, seed: number, log: readonly LogPoint[], extra: Partial<RunResult> = {}): FinishedRun {
  const last = log.at(-1)!;
  return {
    result: {
      run,
      seed,
      task: 'mqar',
      attention: run.startsWith('sas') ? 'sas' : run,
      params: 1000,
      trainableParams: 1000,
      steps: last.step,
      valLoss: last.valLoss,
      accuracy: last.accuracy,
      tokensPerSecond: 2000,
      wallSeconds: last.wallSeconds + 0.5,
      backend: 'ndarray',
      mode: 'cpu',
      ...extra,
    },
    log,
  };
}

/** A log of evaluations at steps 10 and 20 ending at `accuracy` and `valLoss`, reached at `wall` seconds. */
export const twoPointLog = (accuracy: number, valLoss: number, wall = 2): LogPoint[] => [
  { step: 10, wallSeconds: wall / 2, valLoss: valLoss + 1, accuracy: accuracy / 2 },
  { step: 20, wallSeconds: wall, valLoss, accuracy },
];

/**
 * Two run kinds × three seeds: `mha` finished every seed (accuracies 0.90, 0.95, 1.00: mean 0.95, sample std 0.05),
 * `sas` only seed 1 (accuracy 0.4); `gqa` none.
 */
export function tinyStudy(): Study {
  return {
    name: 'tiny',
    task: 'mqar',
    runs: ['mha', 'sas', 'gqa'],
    seeds: [1, 2, 3],
    finished: [
      finishedRun('mha', 2, twoPointLog(0.95, 1.2, 4), { tokensPerSecond: 3000 }),
      finishedRun('mha', 1, twoPointLog(0.9, 1.1, 2), { tokensPerSecond: 1000 }),
      finishedRun('mha', 3, twoPointLog(1.0, 1.3, 6), { tokensPerSecond: 2000 }),
      finishedRun('sas', 1, twoPointLog(0.4, 2.5), { params: 1200, trainableParams: 1100 }),
    ],
  };
}
