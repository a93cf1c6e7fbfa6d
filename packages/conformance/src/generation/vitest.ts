import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIds, initModel, type Backend, type BackendProvider } from '@sas/core';
import { resourceCounts } from '../soak/counters.js';
import { compareCachedDecoding, DECODING_CONFIGS } from './cached-decoding.js';
import { loadGenerationFixtures, readLanguageModelFile } from './node.js';
import { formatGenerationReport, runGenerationCase } from './run.js';

/** Options of `describeGeneration`. */
export interface DescribeGenerationOptions {
  readonly mode?: string;
  /** A directory in MODEL.md's layout (default: $SAS_MODEL_FIXTURES, else the bundled models). */
  readonly fixturesDir?: string;
  /** Bound on |cached − full| logits (default 1e-5 in float32, 1e-12 in float64). */
  readonly cachedTolerance?: number;
}

/**
 * Registers the generation checks for one backend as vitest tests: every
 * generation fixture (greedy text identical, the prompt's last logits within
 * 1e-4), resources released (counts flat across decodes), and cached
 * decoding against the full forward pass for every attention kind
 * (`DECODING_CONFIGS`) in the backend's native dtype.
 *
 * @example
 * ```ts
 * // packages/my-backend/src/generation.test.ts
 * import { describeGeneration } from '@sas/conformance/vitest';
 * import { myProvider } from './index.js';
 * describeGeneration(myProvider, { mode: 'cpu' });
 * ```
 */
export function describeGeneration(provider: BackendProvider, options: DescribeGenerationOptions = {}): void {
  const mode = options.mode ?? provider.modes[0];
  const fixtures = loadGenerationFixtures(options.fixturesDir ?? process.env.SAS_MODEL_FIXTURES);
  describe(`generation: ${provider.name} (${mode})`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await provider.create({ mode });
    });
    afterAll(async () => {
      await backend?.dispose();
    });
    for (const fixture of fixtures) {
      it(`${fixture.name}: greedy decoding prints the record's ${fixture.newTokens} characters exactly; the prompt's last logits within 1e-4`, async () => {
        const report = await runGenerationCase(backend, fixture, readLanguageModelFile(fixture.path));
        expect(report.passed, formatGenerationReport(report)).toBe(true);
      });
    }
    it('decoding holds nothing between runs: resource counts after a second decode equal those after the first, no handle live', async () => {
      const config = DECODING_CONFIGS.gqa;
      const model = { config, params: initModel(config, 3, { dtype: backend.dtypes[0] }) };
      const decode = async () => {
        const ids: number[] = [];
        for await (const id of generateIds(model, [1, 2, 3], { backend, maxNewTokens: 30, temperature: 0 })) ids.push(id);
        return ids;
      };
      const first = await decode();
      const after = resourceCounts(backend);
      expect(await decode()).toEqual(first);
      expect(resourceCounts(backend)).toEqual(after);
      if ('handles' in after) expect(after.handles).toBe(0);
    });
    for (const [kind, config] of Object.entries(DECODING_CONFIGS)) {
      it(`cached decoding equals the full forward pass at every position: ${kind}`, async () => {
        const dtype = backend.dtypes[0];
        const bound = options.cachedTolerance ?? (dtype === 'float64' ? 1e-12 : 1e-5);
        const report = await compareCachedDecoding(backend, config, { dtype });
        expect(report.maxAbs, `worst at position ${report.worstPosition}`).toBeLessThanOrEqual(bound);
        expect(new Set(report.capacities)).toEqual(new Set([16, 32, 40]));
      });
    }
  });
}
