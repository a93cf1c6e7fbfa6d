import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendProvider, ModelTolerance, Tolerance } from '@sas/core';
import { bundledFixturesDir, loadFixtureSet } from './fixtures.js';
import { formatCase } from './format.js';
import { runCase } from './run.js';
import { trainSmallSAS } from './training.js';
import { formatModelCase } from './models/format.js';
import { bundledModelFixturesDir, loadModelFixtureSet, runModelCase } from './models/node.js';
import { modelToleranceFor } from './models/tolerance.js';

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
  /** Overrides the provider's model tolerance for this mode (`modelToleranceFor`). */
  readonly tolerance?: ModelTolerance;
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
  const tolerance = options.tolerance ?? modelToleranceFor(provider, mode);
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

export { describeGeneration, type DescribeGenerationOptions } from './generation/vitest.js';
export { describeModelOps, describeModelTraining, type DescribeModelOpsOptions } from './vitest-models.js';
