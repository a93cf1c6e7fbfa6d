// Property-based differential testing: every backend found at run time
// against the float64 reference on random layers and ops, forward and
// gradients, plus the fixed regression cases. A backend that is not
// available here is a skipped test with the reason in its name.
//
//   SAS_FUZZ_RUNS=20000 pnpm exec vitest run --project conformance fuzz   # long run
//   SAS_FUZZ_BACKENDS=ndarray,gpujs/cpu ...                                # some targets only
//   SAS_FUZZ_SEED=1234 ...                                                 # replay a run
//   SAS_FUZZ_SEED=random ...                                               # a fresh random seed

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, type Backend } from '@sas/core';
import { fuzzCaseSource } from './fuzz/cases.js';
import { fuzzBackend, type FuzzReport } from './fuzz/differential.js';
import { knownIssueFor, regressionCases } from './fuzz/regressions.js';
import { formatFuzzFailure, runFuzzCase } from './fuzz/run-case.js';
import { discoverTargets, workspaceCandidates } from './fuzz/targets.js';

const RUNS = Number(process.env.SAS_FUZZ_RUNS ?? 500);
// A fixed seed by default, so CI is reproducible; SAS_FUZZ_SEED=random explores new cases.
const DEFAULT_SEED = 20261128;
const SEED = process.env.SAS_FUZZ_SEED === 'random' ? undefined : process.env.SAS_FUZZ_SEED === undefined ? DEFAULT_SEED : Number(process.env.SAS_FUZZ_SEED);
const ONLY = process.env.SAS_FUZZ_BACKENDS?.split(',');
// Half the random cases are whole layers, half single ops; except where every new shape
// compiles every kernel afresh (gpu.js headless GL: ~1 s per layer case, 0.1 s per op case
// on 2 cores), where layers get 15% so 500 cases still take about two minutes.
const LAYER_SHARE: Readonly<Record<string, number>> = { 'gpujs/headlessgl': 0.15 };
const split = (target: string) => {
  const layers = Math.ceil(RUNS * (LAYER_SHARE[target] ?? 0.5));
  return { layers, ops: RUNS - layers };
};
// Whole-layer cases with gradients cost up to ~0.25 s on the slowest backend (gpu.js, which compiles per shape).
const FUZZ_TIMEOUT = 120_000 + RUNS * 500;

const targets = (await discoverTargets(workspaceCandidates(), { includeReference: false })).filter(
  (t) => !ONLY || ONLY.includes(t.name) || ONLY.includes(`${t.name}/${t.mode}`),
);
const reports: (FuzzReport & { seconds: number })[] = [];

afterAll(() => {
  if (reports.length === 0) return;
  const lines = reports.map(
    (r) =>
      `  ${`${r.backend} (${r.mode})`.padEnd(20)} ${r.total} cases compared (${r.layer.runs} layers, ${r.op.runs} ops), ${r.layer.skipped + r.op.skipped} skipped by known issues, in ${r.seconds.toFixed(0)} s, ${r.passed ? 'no disagreement' : 'DISAGREEMENT'}`,
  );
  console.log(`fuzz: cases tried per backend\n${lines.join('\n')}`);
});

describe('fuzz: backends against the float64 reference', () => {
  it('found at least one backend to fuzz besides the reference', () => {
    expect(
      targets.some((t) => t.available),
      targets.map((t) => `${t.name}/${t.mode}`).join(', '),
    ).toBe(true);
  });

  for (const target of targets) {
    const label = `${target.name} (${target.mode})`;
    if (!target.available) {
      it.skip(`${label} — skipped: ${target.reason}`, () => {});
      continue;
    }
    describe(label, () => {
      const { layers: LAYER_RUNS, ops: OP_RUNS } = split(`${target.name}/${target.mode}`);
      let backend: Backend;
      const oracle = createReferenceBackend();
      const tolerance = target.provider.tolerance(target.mode);
      beforeAll(async () => {
        backend = await target.provider.create({ mode: target.mode });
      });
      afterAll(async () => {
        await backend?.dispose();
      });

      for (const r of regressionCases()) {
        const known = knownIssueFor(r.case, { grads: true, backend: target.name, mode: target.mode });
        if (known?.effect === 'skip') {
          it.skip(`regression: ${r.name} — skipped: known issue ${known.id}: ${known.issue}`, () => {});
          continue;
        }
        it(`regression: ${r.name}${known ? ` — forward only: known issue ${known.id}: ${known.issue}` : ''}`, async () => {
          const report = await runFuzzCase(backend, r.case, { tolerance, oracle });
          expect(report.passed, formatFuzzFailure(report)).toBe(true);
        });
      }

      it(
        `${RUNS} random cases (${LAYER_RUNS} layers, ${OP_RUNS} ops; forward and gradients) agree within atol ${tolerance.atol}, grad atol ${tolerance.gradAtol}`,
        async () => {
          const start = performance.now();
          const report = await fuzzBackend(backend, { tolerance, layerRuns: LAYER_RUNS, opRuns: OP_RUNS, seed: SEED });
          const seconds = (performance.now() - start) / 1000;
          reports.push({ ...report, seconds });
          const hits: Record<string, number> = {};
          for (const run of [report.layer, report.op]) for (const [id, n] of Object.entries(run.knownIssueHits)) hits[id] = (hits[id] ?? 0) + n;
          console.log(
            `fuzz ${label}: ${report.total} cases compared (${report.layer.runs} layers, ${report.op.runs} ops), ${report.layer.skipped + report.op.skipped} skipped by known issues, in ${seconds.toFixed(0)} s, seed ${report.layer.seed}${Object.keys(hits).length ? `, limited or skipped by known issues: ${JSON.stringify(hits)}` : ''}`,
          );
          for (const run of [report.layer, report.op]) {
            const message = run.counterexample
              ? `${formatFuzzFailure(run.failure!)}\nshrunk counterexample (${run.shrinks} shrinks; replay with SAS_FUZZ_SEED=${report.layer.seed}), add it to regressions.ts:\n${fuzzCaseSource(run.counterexample)}`
              : '';
            expect(run.counterexample, message).toBeUndefined();
          }
          expect(report.total).toBe(RUNS);
        },
        FUZZ_TIMEOUT,
      );
    });
  }
});
