import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledFixturesDir, bundledModelFixturesDir } from '@sas/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, openBrowserPage, type BrowserPage } from '@sas/conformance/browser';
import type { PageApi, PageReport } from './browser/page.js';
import { fixtureNames } from './test-support/fixtures.js';

// The kernel tests' bound (kernels/kernels.test.ts): float32 ops against the
// float64 reference on the same float32 inputs.
const KERNEL_ATOL = 1e-5;
const KERNEL_RTOL = 1e-5;
// SwiftShader compiles every shader of a model's training step in software (minutes under load): a SAS, a
// baseline and the frozen identity-init case here; Node runs all six cases on cpu and wasm (models.test.ts).
const BROWSER_MODEL_CASES = ['lm-sas-step', 'lm-gqa-step', 'lm-sas-identity-frozen'];

// The backend bundled for the browser (vite), served on localhost, run by
// Debian's Chromium through playwright-core on tfjs's webgl backend (WebGL2 on
// SwiftShader when headless): every bundled fixture case, forward, traces and
// gradients, at the provider's webgl tolerance, with tfjs's tensor count
// checked around every run.
describe('tfjs in a browser page', () => {
  if (!existsSync(CHROMIUM_PATH)) {
    it.skip(`fixture cases on webgl (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium)`, () => {});
    return;
  }
  const fixturesDir = bundledFixturesDir();
  let browser: BrowserPage;
  let page: BrowserPage['page'];

  beforeAll(async () => {
    browser = await openBrowserPage({
      entry: fileURLToPath(new URL('./browser/page.ts', import.meta.url)),
      root: fileURLToPath(new URL('../', import.meta.url)),
      globalName: 'sasTfjs',
      fixturesDir: fixturesDir,
      modelFixturesDir: bundledModelFixturesDir(),
    });
    page = browser.page;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the browser modes and starts tfjs on webgl (WebGL2)', async () => {
    const { modes, probe, renderer } = await page.evaluate(async () => {
      const api = (window as unknown as { sasTfjs: PageApi }).sasTfjs;
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return {
        modes: api.availableModes(),
        probe: await api.probeMode('webgl'),
        renderer: gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown',
      };
    });
    console.info(`Chromium WebGL2 renderer: ${renderer}`);
    expect(modes).toEqual(['webgl', 'webgpu', 'wasm', 'cpu']);
    expect(probe).toMatchObject({ mode: 'webgl', available: true, activeBackend: 'webgl' });
  });

  it('passes every bundled fixture case on webgl, with gradients, and leaks no tensor', { timeout: 600_000 }, async () => {
    const report = await runInPage('webgl', true);
    expect(report.mode).toBe('webgl');
    expect(report.activeBackend).toBe('webgl');
    // float32 render targets: tfjs would otherwise compute in float16 textures.
    expect(report.flags).toMatchObject({ WEBGL_VERSION: 2, WEBGL_RENDER_FLOAT32_ENABLED: true });
    expect(report.cases.map((c) => c.name)).toEqual(fixtureNames(fixturesDir));
    expect(failures(report)).toEqual([]);
    // Every case with a cotangent had its gradients compared.
    expect(report.cases.filter((c) => c.checks.some((k) => k.name.startsWith('grad.'))).length).toBeGreaterThan(0);
    expect(
      report.cases
        .filter((c) => c.numTensors.afterForward !== c.numTensors.before || (c.numTensors.afterGrads ?? c.numTensors.before) !== c.numTensors.before)
        .map((c) => `${c.name}: ${JSON.stringify(c.numTensors)}`),
    ).toEqual([]);
    expect(report.liveHandles).toBe(0);
  });

  it('runs every kernel test case on webgl like the reference (NaN/±Inf included), leaking nothing', { timeout: 300_000 }, async () => {
    const results = await page.evaluate(([atol, rtol]) => (window as unknown as { sasTfjs: PageApi }).sasTfjs.runOpCases({ mode: 'webgl', atol, rtol }), [
      KERNEL_ATOL,
      KERNEL_RTOL,
    ] as const);
    console.info(
      `browser webgl kernels: ${results.filter((r) => r.passed).length}/${results.length} cases pass at ${KERNEL_ATOL}, max |a−e| ${Math.max(...results.map((r) => r.maxAbs)).toExponential(2)}`,
    );
    expect(results.length).toBeGreaterThan(100);
    expect(results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.error ?? `${JSON.stringify(r.mismatches)}, leaked ${r.leaked}`}`)).toEqual([]);
  });

  it("runs the char GPT on webgl: its model fixtures, the model-op cases, the tiny model's training, leaking nothing", { timeout: 600_000 }, async () => {
    const r = await page.evaluate(
      ([atol, rtol, cases]) => (window as unknown as { sasTfjs: PageApi }).sasTfjs.runModelChecks('/models/', { mode: 'webgl', atol, rtol, cases }),
      [KERNEL_ATOL, KERNEL_RTOL, BROWSER_MODEL_CASES] as const,
    );
    const worst = (pick: (name: string) => boolean) =>
      Math.max(...r.fixtures.flatMap((c) => c.checks.filter((k) => pick(k.name)).map((k) => k.maxAbs))).toExponential(2);
    console.info(
      `browser webgl models: ${r.fixtures.filter((c) => c.passed).length}/${r.fixtures.length} cases pass; max |a−e| forward ${worst((n) => n === 'logits' || n.startsWith('loss'))}, gradients ${worst((n) => n.startsWith('grad'))}, steps ${worst((n) => n.startsWith('step'))}; ${r.opCases} model-op cases, losses ${r.losses.map((l) => l.toFixed(3)).join(' ')}`,
    );
    expect(r.mode).toBe('webgl');
    expect(r.fixtures.map((c) => c.name)).toEqual(BROWSER_MODEL_CASES);
    expect(
      r.fixtures.filter((c) => !c.passed).map((c) => `${c.name}: ${c.error ?? c.checks.filter((k) => !k.passed).map((k) => `${k.name} maxAbs ${k.maxAbs}`)}`),
    ).toEqual([]);
    expect(r.opFailures).toEqual([]);
    for (let i = 1; i < r.losses.length; i++) expect(r.losses[i], `losses ${r.losses.join(', ')}`).toBeLessThan(r.losses[i - 1]);
    expect(r.numTensors.after).toBe(r.numTensors.before);
  });

  it('runs webgpu where Chromium offers an adapter and tfjs-backend-webgpu is installed', { timeout: 600_000 }, async (t) => {
    const probe = await page.evaluate(() => (window as unknown as { sasTfjs: PageApi }).sasTfjs.probeMode('webgpu'));
    console.info(`webgpu probe: ${JSON.stringify(probe)}`);
    if (!probe.available) {
      // No silent fallback: a mode that cannot start is an E_BACKEND error and leaves tfjs where it was.
      if (probe.adapter) expect(probe.reason).toMatch(/^E_BACKEND: /);
      expect(probe.activeBackend).not.toBe('webgpu');
      t.skip(`tfjs webgpu not runnable here: ${probe.adapter ? `Chromium offers a WebGPU adapter (${probe.adapter}), but ` : ''}${probe.reason}`);
    }
    const report = await runInPage('webgpu', true);
    expect(report.activeBackend).toBe('webgpu');
    expect(failures(report)).toEqual([]);
  });

  // A figure for docs/backends/tfjs.md, not a test: SAS_BROWSER_BENCH=1 to run it.
  it.runIf(process.env.SAS_BROWSER_BENCH === '1')(
    `times the SAS forward pass on webgl (prints the median)${process.env.SAS_BROWSER_BENCH === '1' ? '' : ' — skipped: a benchmark, run with SAS_BROWSER_BENCH=1'}`,
    { timeout: 600_000 },
    async () => {
      const shape = (process.env.SAS_BENCH_SHAPE ?? '1,64,12,64,24,128').split(',').map(Number);
      const result = await page.evaluate(([s]) => (window as unknown as { sasTfjs: PageApi }).sasTfjs.timeForward(s, { mode: 'webgl', runs: 5 }), [
        shape,
      ] as const);
      console.info(`tfjs (${result.mode}, headless Chromium) sas ${shape} forward: median ${result.medianMs.toFixed(1)} ms`);
      expect(result.finite).toBe(true);
    },
  );

  async function runInPage(mode: string, grads: boolean): Promise<PageReport> {
    const report = await page.evaluate(([m, g]) => (window as unknown as { sasTfjs: PageApi }).sasTfjs.runFixtures('/fixtures/', { mode: m, grads: g }), [
      mode,
      grads,
    ] as const);
    const all = report.cases.flatMap((c) => c.checks);
    const worst = (pick: (name: string) => boolean) => Math.max(0, ...all.filter((k) => pick(k.name)).map((k) => k.needed));
    console.info(
      `browser ${report.mode}: ${report.cases.filter((c) => c.passed).length}/${report.cases.length} cases pass at ${JSON.stringify(report.tolerance)}; ` +
        `smallest passing atol = rtol: forward ${worst((n) => !n.startsWith('grad.')).toExponential(2)}, gradients ${worst((n) => n.startsWith('grad.')).toExponential(2)}`,
    );
    if (process.env.SAS_BROWSER_VERBOSE === '1')
      for (const c of report.cases)
        console.info(c.name, c.error ?? '', c.checks.map((k) => `${k.name} abs ${k.maxAbs.toExponential(1)} need ${k.needed.toExponential(1)}`).join('; '));
    return report;
  }
});

function failures(report: PageReport): string[] {
  return report.cases
    .filter((c) => !c.passed)
    .map(
      (c) =>
        `${c.name}: ${
          c.error ??
          c.checks
            .filter((k) => !k.passed)
            .map((k) => `${k.name} maxAbs ${k.maxAbs.toExponential(2)}${k.problem ? ` (${k.problem})` : ''}`)
            .join(', ')
        }`,
    );
}
