import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledFixturesDir } from '@sas/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage } from './browser/bundle.js';
import type { PageReport } from './browser/page.js';
import { servePage } from './browser/server.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

// The backend bundled for the browser (vite), served on localhost, run by
// Debian's Chromium through playwright-core on WebGL2 (SwiftShader when
// headless): every bundled fixture case, forward, traces and gradients.
describe('gpujs in a browser page (webgl2)', () => {
  if (!existsSync(CHROMIUM)) {
    it.skip(`fixture cases on webgl2 (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium)`, () => {});
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'sas-gpujs-page-'));
  let server: Awaited<ReturnType<typeof servePage>>;
  let context: import('playwright-core').BrowserContext;
  let page: import('playwright-core').Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await bundlePage(join(work, 'bundle'));
    server = await servePage(join(work, 'bundle'), bundledFixturesDir());
    const { chromium } = await import('playwright-core');
    // A fresh profile per run: launchPersistentContext is how playwright takes --user-data-dir.
    context = await chromium.launchPersistentContext(join(work, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = await context.newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    await page.goto(server.url);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 }).catch((e: Error) => {
      throw new Error(`the page did not load the bundle: ${e.message}\n${problems.join('\n')}`);
    });
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists the browser modes and offers webgl2', async () => {
    const { modes, webgl2 } = await page.evaluate(async () => {
      const api = (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs;
      return { modes: api.runtimeModes(), webgl2: await api.probeMode('webgl2') };
    });
    expect(modes).toEqual(['webgl2', 'webgl', 'webasm', 'cpu']);
    expect(webgl2).toEqual({ mode: 'webgl2', available: true });
  });

  it('passes every bundled fixture case on webgl2, with gradients', { timeout: 600_000 }, async () => {
    const report: PageReport = await page.evaluate(async () => {
      const api = (window as unknown as { sasGpujs: typeof import('./browser/page.js').default }).sasGpujs;
      return api.runFixtures('/fixtures/', { mode: 'webgl2', grads: true });
    });
    expect(report.mode).toBe('webgl2');
    expect(report.cases.length).toBe(12);
    const failed = report.cases.filter((c) => !c.passed).map((c) => `${c.name}: ${c.error ?? c.checks.filter((k) => !k.passed).map((k) => `${k.name} maxAbs ${k.maxAbs}`).join(', ')}`);
    expect(failed).toEqual([]);
  });
});
