// The model conformance runner itself: any directory in MODEL.md's layout,
// failing runs that check nothing, and failing cases whose numbers are off.
// (The bundled cases on the reference run in reference.test.ts.)
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, parseSafetensors, referenceProvider, serializeSafetensors, SasError } from '@sas/core';
import { formatModelReport } from './models/format.js';
import { runModelConformanceOverHttp } from './models/fetch.js';
import { bundledModelFixturesDir, loadModelFixtureSet, runModelConformance } from './models/node.js';
import { modelToleranceFor } from './models/tolerance.js';

const tolerance = referenceProvider.tolerance('float64');
const bundled = bundledModelFixturesDir();
const manifest = JSON.parse(readFileSync(join(bundled, 'manifest.json'), 'utf8')) as { cases: { name: string; file: string; frozen: string[] }[] };
const gqa = manifest.cases.find((c) => c.name === 'lm-gqa-step')!;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fixture directory elsewhere holding `cases` (with their files from the bundled set, optionally rewritten). */
function fixtureDir(cases: typeof manifest.cases, rewrite?: (tensors: Map<string, import('@sas/core').Tensor>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'sas-models-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ description: 'a copy', cases }));
  for (const c of cases) {
    if (!rewrite) copyFileSync(join(bundled, c.file), join(dir, c.file));
    else {
      const { tensors, metadata } = parseSafetensors(new Uint8Array(readFileSync(join(bundled, c.file))));
      rewrite(tensors);
      writeFileSync(join(dir, c.file), serializeSafetensors(tensors, { metadata }));
    }
  }
  return dir;
}

describe('runModelConformance', () => {
  it('runs any directory in the layout, and only the cases asked for', async () => {
    const dir = fixtureDir([gqa]);
    const report = await runModelConformance(createReferenceBackend(), { tolerance, fixturesDir: dir, cases: ['lm-gqa-step'] });
    expect(report.passed, formatModelReport(report)).toBe(true);
    expect(report.fixturesDir).toBe(dir);
    expect(report.cases.map((c) => c.name)).toEqual(['lm-gqa-step']);
    // logits, loss, 22 grads, grad_norm, 22 step1, loss_after_step1, 22 step2
    expect(report.cases[0].checks).toHaveLength(2 + 22 + 1 + 22 + 1 + 22);
  });

  it('fails a run with nothing to check: an empty manifest, or a case name the directory lacks', async () => {
    const empty = await runModelConformance(createReferenceBackend(), { tolerance, fixturesDir: fixtureDir([]) });
    expect([empty.passed, empty.problem]).toEqual([false, 'no case to check: the manifest lists none']);
    expect(formatModelReport(empty)).toMatch(/problem: no case to check.*\nFAILED: 0\/0 cases passed$/);
    const unknown = await runModelConformance(createReferenceBackend(), { tolerance, cases: ['lm-gqa-step', 'lm-typo'] });
    expect(unknown.passed).toBe(false);
    expect(unknown.problem).toMatch(/^no case named 'lm-typo' \(cases: lm-sas-step, /);
  });

  it('fails a case whose expected numbers are off, naming the tensor: a step-2 param, and the gradient norm', async () => {
    const dir = fixtureDir([gqa], (tensors) => {
      const step2 = tensors.get('step2.blocks.0.mlp.fc.bias')!;
      step2.data[3] += 1e-6;
      tensors.get('grad_norm')!.data[0] *= 1 + 1e-7;
    });
    const report = await runModelConformance(createReferenceBackend(), { tolerance, fixturesDir: dir });
    expect(report.passed).toBe(false);
    expect(report.cases[0].checks.filter((c) => !c.passed).map((c) => [c.name, c.worstIndex])).toEqual([
      ['grad_norm', 0],
      ['step2.blocks.0.mlp.fc.bias', 3],
    ]);
    expect(formatModelReport(report)).toMatch(/FAIL {2}lm-gqa-step .*\n {6}grad_norm: max\|err\| /);
  });

  it('fails a case whose manifest frozen list differs from what its config freezes', async () => {
    const report = await runModelConformance(createReferenceBackend(), { tolerance, fixturesDir: fixtureDir([{ ...gqa, frozen: ['head.bias'] }]) });
    expect(report.passed).toBe(false);
    expect(report.cases[0].checks.find((c) => c.name === 'frozen')?.problem).toBe('the config freezes [] but the manifest lists [head.bias]');
  });

  it('turns a case file that cannot be read or is missing a tensor into that case’s error, and a bad manifest into one E_FIXTURE line', async () => {
    const dir = fixtureDir([gqa], (tensors) => tensors.delete('param.ln_f.bias'));
    const report = await runModelConformance(createReferenceBackend(), { tolerance, fixturesDir: dir });
    expect(report.cases[0].error).toBe(`${join(dir, gqa.file)}: missing tensor 'param.ln_f.bias'`);
    const bad = fixtureDir([{ ...gqa, model: { ...(gqa as unknown as { model: object }).model, width: 15 } } as unknown as typeof gqa]);
    try {
      loadModelFixtureSet(bad);
      throw new Error('expected E_FIXTURE');
    } catch (e) {
      expect(e).toBeInstanceOf(SasError);
      expect((e as SasError).message).toBe(`${join(bad, 'manifest.json')}: case 0 ('lm-gqa-step'): config.width: expected a multiple of heads (4), got 15`);
    }
  });

  it('holds the updated params to the step tolerance (stepAtol/stepRtol) and everything else to the layer tolerance', async () => {
    const dir = fixtureDir([gqa]);
    // The reference's step params are within ~1e-12 of the fixture's: a 1e-15 step bound fails exactly the step1.* and step2.* tensors.
    const tight = await runModelConformance(createReferenceBackend(), { tolerance: { ...tolerance, stepAtol: 1e-15, stepRtol: 0 }, fixturesDir: dir });
    const failed = tight.cases[0].checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((n) => n.startsWith('step1.') || n.startsWith('step2.'))).toBe(true);
    expect(formatModelReport(tight)).toContain('1e-15 + 0·|e| (step1.*, step2.*)');
    // Gradient and forward tensors keep their own bounds: a loose step bound does not loosen them.
    const loose = await runModelConformance(createReferenceBackend(), { tolerance: { ...tolerance, gradAtol: 0, gradRtol: 0, stepAtol: 1 }, fixturesDir: dir });
    const looseFailed = loose.cases[0].checks.filter((c) => !c.passed).map((c) => c.name);
    expect(looseFailed.length).toBeGreaterThan(0);
    expect(looseFailed.every((n) => n.startsWith('grad'))).toBe(true);
  });
});

describe('modelToleranceFor', () => {
  it("is the provider's modelTolerance where it declares one, else its layer tolerance", () => {
    const model = { atol: 1e-5, rtol: 1e-5, gradAtol: 1e-4, gradRtol: 1e-4, stepAtol: 1e-3, stepRtol: 0 };
    expect(modelToleranceFor({ ...referenceProvider, modelTolerance: () => model }, 'float64')).toBe(model);
    expect(modelToleranceFor(referenceProvider, 'float64')).toEqual(referenceProvider.tolerance('float64'));
  });
});

describe('runModelConformanceOverHttp', () => {
  it('fetches the manifest and case files under a base URL and runs them as from disk', async () => {
    const dir = fixtureDir([gqa]);
    const server = createServer((req, res) => {
      try {
        const body = readFileSync(join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname.replace(/^\/models\//, ''))));
        res.writeHead(200).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { port } = server.address() as { port: number };
      const report = await runModelConformanceOverHttp(createReferenceBackend(), `http://127.0.0.1:${port}/models/`, { tolerance });
      expect(report.passed, formatModelReport(report)).toBe(true);
      expect(report.cases.map((c) => c.name)).toEqual(['lm-gqa-step']);
      const missing = await runModelConformanceOverHttp(createReferenceBackend(), `http://127.0.0.1:${port}/models/`, { tolerance, cases: ['lm-sas-step'] });
      expect(missing.problem).toBe("no case named 'lm-sas-step' (cases: lm-gqa-step)");
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});
