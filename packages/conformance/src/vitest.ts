import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, type Backend, type BackendProvider, type Tolerance } from '@sas/core';
import { bundledFixturesDir, loadFixtureSet } from './fixtures.js';
import { formatCase } from './format.js';
import { runCase } from './run.js';
import { trainSmallSAS } from './training.js';
import { formatModelCase } from './models/format.js';
import { bundledModelFixturesDir, loadModelFixtureSet, runModelCase } from './models/node.js';
import { MODEL_OP_NAMES, modelOpCases } from './model-ops/cases.js';
import { formatModelOpCase, runModelOpCase } from './model-ops/check.js';

/** Options of `describeConformance`. */
export interface DescribeConformanceOptions {
  readonly mode?: string;
  readonly grads?: boolean;
  readonly fixturesDir?: string;
  /** Overrides the provider's tolerance for this mode. */
  readonly tolerance?: Tolerance;
  /** Case name → reason: listed cases are skipped, and the reason is shown. */
  readonly skip?: Readonly<Record<string, string>>;
}

/**
 * Registers the whole conformance suite for one backend as vitest tests: one
 * test per fixture case, failing with the per-tensor errors.
 *
 * @example
 * ```ts
 * // packages/my-backend/src/conformance.test.ts
 * import { describeConformance } from '@sas/conformance/vitest';
 * import { myProvider } from './index.js';
 * describeConformance(myProvider, { mode: 'cpu', grads: true });
 * ```
 */
export function describeConformance(provider: BackendProvider, options: DescribeConformanceOptions = {}): void {
  const set = loadFixtureSet(options.fixturesDir ?? bundledFixturesDir());
  const mode = options.mode ?? provider.modes[0];
  const tolerance = options.tolerance ?? provider.tolerance(mode);
  describe(`conformance: ${provider.name} (${mode})${options.grads ? ' with gradients' : ''}`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await provider.create({ mode });
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    for (const fixture of set.cases) {
      const reason = options.skip?.[fixture.name];
      if (reason) {
        it.skip(`${fixture.name} (skipped: ${reason})`, () => {});
        continue;
      }
      it(fixture.name, async () => {
        const report = await runCase(backend, fixture, { tolerance, grads: options.grads });
        expect(report.passed, formatCase(report)).toBe(true);
      });
    }
  });
}

/**
 * Registers the training check for one backend: a few AdamW steps on a small
 * SAS regression must lower the loss at every step.
 *
 * @example
 * ```ts
 * import { describeTraining } from '@sas/conformance/vitest';
 * describeTraining(myProvider, { mode: 'cpu' });
 * ```
 */
export function describeTraining(provider: BackendProvider, options: { mode?: string; steps?: number } = {}): void {
  const mode = options.mode ?? provider.modes[0];
  it(`training: AdamW steps on ${provider.name} (${mode}) lower a SAS regression loss`, async () => {
    const backend = await provider.create({ mode });
    try {
      const losses = await trainSmallSAS(backend, options.steps ?? 6);
      for (let i = 1; i < losses.length; i++) expect(losses[i], `losses ${losses.join(', ')}`).toBeLessThan(losses[i - 1]);
    } finally {
      await backend.dispose();
    }
  });
}

/** Options of `describeModelConformance`. */
export interface DescribeModelConformanceOptions {
  readonly mode?: string;
  /** A directory in MODEL.md's layout (default: the bundled model fixtures). */
  readonly fixturesDir?: string;
  /** Overrides the provider's tolerance for this mode. */
  readonly tolerance?: Tolerance;
  /** Case name → reason: listed cases are skipped, and the reason is shown. */
  readonly skip?: Readonly<Record<string, string>>;
}

/**
 * Registers the model conformance suite for one backend as vitest tests: one
 * test per model fixture case (forward, gradients, two training steps),
 * failing with the per-tensor errors. A fixture directory without cases is a
 * failing test, not an empty pass.
 *
 * @example
 * ```ts
 * // packages/my-backend/src/models.test.ts
 * import { describeModelConformance } from '@sas/conformance/vitest';
 * import { myProvider } from './index.js';
 * describeModelConformance(myProvider, { mode: 'cpu' });
 * ```
 */
export function describeModelConformance(provider: BackendProvider, options: DescribeModelConformanceOptions = {}): void {
  const set = loadModelFixtureSet(options.fixturesDir ?? bundledModelFixturesDir());
  const mode = options.mode ?? provider.modes[0];
  const tolerance = options.tolerance ?? provider.tolerance(mode);
  describe(`model conformance: ${provider.name} (${mode})`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await provider.create({ mode });
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    if (set.cases.length === 0) it(`${set.dir} has model cases`, () => expect.fail(`no case to check in ${set.dir}`));
    for (const fixture of set.cases) {
      const reason = options.skip?.[fixture.name];
      if (reason) {
        it.skip(`${fixture.name} (skipped: ${reason})`, () => {});
        continue;
      }
      it(fixture.name, async () => {
        const report = await runModelCase(backend, fixture, { tolerance });
        expect(report.passed, formatModelCase(report)).toBe(true);
      });
    }
  });
}

/** Options of `describeModelOps`. */
export interface DescribeModelOpsOptions {
  readonly mode?: string;
  /** Bound on every case (default: the provider's forward tolerance for the mode). */
  readonly tolerance?: { readonly atol: number; readonly rtol: number };
  /** Skip the cases whose feeds or results hold NaN or ±∞, with this reason (GL drivers need not honour them). */
  readonly skipNonFinite?: string;
  /** Seed and number of random cases per op (default 1 and 6). */
  readonly seed?: number;
  readonly random?: number;
}

/**
 * Registers the model-op kernel suite for one backend: for each of the
 * model's composite ops (Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh,
 * CrossEntropy), one test running its seeded cases (`modelOpCases`) against
 * the op's float64 definition, or for computed ids outside the domain against
 * the primitive decomposition, on the float64 reference.
 *
 * @example
 * ```ts
 * // packages/my-backend/src/model-ops.test.ts
 * import { describeModelOps } from '@sas/conformance/vitest';
 * import { myProvider } from './index.js';
 * describeModelOps(myProvider, { mode: 'cpu' });
 * ```
 */
export function describeModelOps(provider: BackendProvider, options: DescribeModelOpsOptions = {}): void {
  const mode = options.mode ?? provider.modes[0];
  const tolerance = options.tolerance ?? provider.tolerance(mode);
  const reference = createReferenceBackend();
  describe(`model ops: ${provider.name} (${mode}) against their float64 definitions`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await provider.create({ mode });
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    for (const op of MODEL_OP_NAMES) {
      const all = modelOpCases({ op, seed: options.seed, random: options.random });
      const cases = options.skipNonFinite ? all.filter((c) => !c.nonFinite) : all;
      const skipped = all.length - cases.length;
      it(`${op}: ${cases.length} cases${skipped ? ` (${skipped} with NaN/±∞ skipped: ${options.skipNonFinite})` : ''}`, async () => {
        const failed: string[] = [];
        for (const c of cases) {
          const report = await runModelOpCase(backend, c, tolerance, reference);
          if (!report.passed) failed.push(formatModelOpCase(report));
        }
        expect(failed).toEqual([]);
      });
    }
  });
}
