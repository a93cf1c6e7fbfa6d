import { createReferenceBackend, type Backend, type BackendProvider } from '@sas/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_OP_NAMES, modelOpCases } from './model-ops/cases.js';
import { formatModelOpCase, runModelOpCase } from './model-ops/check.js';
import { trainTinyModel } from './models/training.js';

// The model's vitest registrations beyond the fixtures (`describeModelConformance`):
// its ops' kernels one by one, and training the tiny model.

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

/**
 * Registers the model training check for one backend: AdamW steps on the
 * tiny char GPT (`trainTinyModel`) must lower its loss at every step.
 *
 * @example
 * ```ts
 * import { describeModelTraining } from '@sas/conformance/vitest';
 * describeModelTraining(myProvider, { mode: 'cpu' });
 * ```
 */
export function describeModelTraining(provider: BackendProvider, options: { readonly mode?: string; readonly steps?: number } = {}): void {
  const mode = options.mode ?? provider.modes[0];
  it(`model training: AdamW steps on ${provider.name} (${mode}) lower the tiny char GPT's loss`, async () => {
    const backend = await provider.create({ mode });
    try {
      const losses = await trainTinyModel(backend, { steps: options.steps });
      for (let i = 1; i < losses.length; i++) expect(losses[i], `losses ${losses.join(', ')}`).toBeLessThan(losses[i - 1]);
    } finally {
      await backend.dispose();
    }
  });
}
