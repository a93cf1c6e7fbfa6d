import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledFixturesDir, bundledModelFixturesDir } from '@sas/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, openBrowserPage, type BrowserPage } from '@sas/conformance/browser';
import type { ModelPageReport, PageReport } from './browser/page.js';

// SwiftShader compiles every shader of a model's training step in software (minutes under load): a SAS, a
// baseline and the frozen identity-init case here; Node runs all six cases in cpu, webasm and headlessgl.
const BROWSER_MODEL_CASES = ['lm-sas-step', 'lm-gqa-step', 'lm-sas-identity-frozen'];

// The backend bundled for the browser (vite), served on localhost, run by
// Debian's Chromium through playwright-core on WebGL2 (SwiftShader when
// headless): every bundled fixture case, forward, traces and gradients; on
// webgl2 also the model-op cases, the char GPT's fixtures and the tiny
// model's training.
describe('gpujs in a browser page (webgl2)', () => {
  if (!existsSync(CHROMIUM_PATH)) {
    it.skip(`fixture cases on webgl2 (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium)`, () => {});
    return;
  }
  let browser: BrowserPage;
  let page: BrowserPage['page'];

  beforeAll(async () => {
    browser = await openBrowserPage({
      entry: fileURLToPath(new URL('./browser/page.ts', import.meta.url)),
      root: fileURLToPath(new URL('../', import.meta.url)),
      globalName: 'sasGpujs',
      fixturesDir: bundledFixturesDir(),
      modelFixturesDir: bundledModelFixturesDir(),
    });
    page = browser.page;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the browser modes and offers webgl2', async () => {
    const { modes, webgl2, renderer } = await page.evaluate(async () => {
      const api = (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs;
      const gl = document.createElement('canvas').getContext('webgl2');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return {
        modes: api.runtimeModes(),
        webgl2: await api.probeMode('webgl2'),
        renderer: gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown',
      };
    });
    console.info(`Chromium WebGL2 renderer: ${renderer}`);
    expect(modes).toEqual(['webgl2', 'webgl', 'webgpu', 'webasm', 'cpu']);
    expect(webgl2).toEqual({ mode: 'webgl2', available: true });
  });

  it('passes every bundled fixture case on webgl2, with gradients', { timeout: 600_000 }, async () => {
    const report = await runInPage('webgl2', true);
    expect(report.mode).toBe('webgl2');
    expect(report.cases.length).toBe(12);
    expect(failures(report)).toEqual([]);
  });

  it('passes every bundled fixture case on webgl (WebGL1), forward and traces', { timeout: 600_000 }, async () => {
    const report = await runInPage('webgl', false);
    expect(report.mode).toBe('webgl');
    expect(report.cases.length).toBe(12);
    expect(failures(report)).toEqual([]);
  });

  it('passes every bundled fixture case on webgpu where Chromium offers an adapter, with gradients', { timeout: 600_000 }, async (t) => {
    const probe = await page.evaluate(() => (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.probeMode('webgpu'));
    if (!probe.available) t.skip(`no WebGPU adapter: ${probe.reason}`);
    const report = await runInPage('webgpu', true);
    expect(report.mode).toBe('webgpu');
    expect(report.cases.length).toBe(12);
    expect(failures(report)).toEqual([]);
  });

  it('passes the model-op cases on webgl2 (NaN/±∞ cases left out: GL drivers need not honour them)', { timeout: 600_000 }, async () => {
    const result = await page.evaluate(() =>
      (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.runModelOps({ mode: 'webgl2' }),
    );
    expect(result.mode).toBe('webgl2');
    expect(result.ran).toBeGreaterThan(100);
    expect(result.failed).toEqual([]);
  });

  it("passes the char GPT's model fixtures on webgl2 (forward, gradients, two AdamW steps)", { timeout: 600_000 }, async () => {
    const report: ModelPageReport = await page.evaluate(
      (cases) =>
        (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.runModelFixtures('/models/', { mode: 'webgl2', cases }),
      BROWSER_MODEL_CASES,
    );
    const worst = (pick: (name: string) => boolean) =>
      Math.max(...report.cases.flatMap((c) => c.checks.filter((k) => pick(k.name)).map((k) => k.maxAbs))).toExponential(2);
    console.info(
      `browser webgl2 models: ${report.cases.filter((c) => c.passed).length}/${report.cases.length} cases pass; max |a−e| forward ${worst((n) => n === 'logits' || n.startsWith('loss'))}, gradients ${worst((n) => n.startsWith('grad'))}, steps ${worst((n) => n.startsWith('step'))}`,
    );
    expect(report.mode).toBe('webgl2');
    expect(report.cases.map((c) => c.name)).toEqual(BROWSER_MODEL_CASES);
    expect(
      report.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.error ?? c.checks.filter((k) => !k.passed).map((k) => `${k.name} maxAbs ${k.maxAbs}`)}`),
    ).toEqual([]);
  });

  it('passes the model-op cases and trains the tiny model on webgpu where Chromium offers an adapter', { timeout: 600_000 }, async (t) => {
    const probe = await page.evaluate(() => (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.probeMode('webgpu'));
    if (!probe.available) t.skip(`no WebGPU adapter: ${probe.reason}`);
    const ops = await page.evaluate(() =>
      (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.runModelOps({ mode: 'webgpu' }),
    );
    expect(ops.mode).toBe('webgpu');
    expect(ops.failed).toEqual([]);
    const { losses } = await page.evaluate(() =>
      (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.trainTiny({ mode: 'webgpu', steps: 4 }),
    );
    for (let i = 1; i < losses.length; i++) expect(losses[i], `losses ${losses.join(', ')}`).toBeLessThan(losses[i - 1]);
  });

  it("lowers the tiny char GPT's loss at every AdamW step on webgl2", { timeout: 600_000 }, async () => {
    const { mode, losses } = await page.evaluate(() =>
      (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.trainTiny({ mode: 'webgl2', steps: 6 }),
    );
    expect(mode).toBe('webgl2');
    for (let i = 1; i < losses.length; i++) expect(losses[i], `losses ${losses.join(', ')}`).toBeLessThan(losses[i - 1]);
  });

  // A figure for docs/backends/gpujs.md, not a test: SAS_BROWSER_BENCH=1 to run it.
  it.runIf(process.env.SAS_BROWSER_BENCH === '1')(
    `times the SAS forward pass in each browser mode (prints the medians)${process.env.SAS_BROWSER_BENCH === '1' ? '' : ' — skipped: a benchmark, run with SAS_BROWSER_BENCH=1'}`,
    { timeout: 600_000 },
    async () => {
      const shape = (process.env.SAS_BENCH_SHAPE ?? '1,64,12,64,24,128').split(',').map(Number);
      for (const mode of ['webgl2', 'webgl', 'webgpu', 'webasm', 'cpu']) {
        const result = await page.evaluate(
          ([s, m]) =>
            (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.timeForward(s as number[], { mode: m as string, runs: 5 }),
          [shape, mode] as const,
        );
        console.info(`gpujs (${result.mode}, headless Chromium) sas ${shape} forward: median ${result.medianMs.toFixed(1)} ms`);
        expect(result.finite).toBe(true);
      }
    },
  );

  async function runInPage(mode: string, grads: boolean): Promise<PageReport> {
    const report: PageReport = await page.evaluate(
      ([m, g]) =>
        (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs.runFixtures('/fixtures/', {
          mode: m as string,
          grads: g as boolean,
        }),
      [mode, grads] as const,
    );
    const worst = Math.max(...report.cases.flatMap((c) => c.checks.map((k) => k.maxAbs)));
    console.info(
      `browser ${report.mode}: ${report.cases.filter((c) => c.passed).length}/${report.cases.length} cases pass, max |a−e| ${worst.toExponential(2)}`,
    );
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
            .map((k) => `${k.name} maxAbs ${k.maxAbs}`)
            .join(', ')
        }`,
    );
}
