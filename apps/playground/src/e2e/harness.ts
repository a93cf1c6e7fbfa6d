/**
 * The end-to-end tests' harness (Node): the production build of the app
 * (`vite build` with the app's own config, into a temporary folder), served
 * by `vite preview` (the same server and COOP/COEP headers as `pnpm
 * playground`) on 127.0.0.1, and one headless Debian Chromium page on it
 * (playwright-core, the flags of @sas/conformance/browser), with every
 * request, console error and page error recorded from the first moment.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../../../../tools/browser-page.js';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * `vite build` in a child Node process. Not in-process: vitest runs its
 * workers with `--conditions @sas/source`, under which the build's Brown
 * slice (`@sas/data/brown`, loaded by Node, build/repo-assets.ts) would
 * resolve to TypeScript sources Node cannot load. A child gets plain Node
 * resolution, as `pnpm --filter playground build` does.
 */
function viteBuild(configFile: string, outDir: string): Promise<void> {
  // The app's own vite (pnpm links it into the app's node_modules); its package exports no bin path to resolve.
  const vite = join(APP_DIR, 'node_modules', 'vite', 'bin', 'vite.js');
  const args = [vite, 'build', '--config', configFile, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'];
  return new Promise((resolve, reject) => {
    // vitest sets NODE_ENV=test, which would make vite build a development bundle; the build of `pnpm --filter playground build` is production's.
    const env = { ...process.env, NODE_ENV: 'production' };
    execFile(process.execPath, args, { cwd: APP_DIR, env, maxBuffer: 16 << 20 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`vite build failed: ${stderr.trim() || error.message}`)) : resolve(),
    );
  });
}

/** The app's folder (apps/playground). */
export const APP_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** An open page on the built app and what it has done so far. */
export interface PlaygroundPage {
  readonly page: Page;
  /** The built files. */
  readonly distDir: string;
  /** The page's origin, e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  /** Every URL the page and its workers requested. */
  readonly requests: string[];
  /** Console errors and uncaught page errors, one line each. */
  readonly problems: string[];
  close(): Promise<void>;
}

/**
 * Builds the app, serves the build, and opens it in headless Chromium;
 * resolves once the page says it is ready (`body[data-ready]`).
 *
 * @example
 * ```ts
 * const app = await openPlayground();
 * await app.page.click('#gen-start');
 * await app.close();
 * ```
 */
export async function openPlayground(): Promise<PlaygroundPage> {
  const work = mkdtempSync(join(tmpdir(), 'sas-playground-'));
  const distDir = join(work, 'dist');
  const configFile = join(APP_DIR, 'vite.config.ts');
  let context: BrowserContext | undefined;
  let server: { close(): Promise<void> } | undefined;
  const close = async () => {
    await context?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await viteBuild(configFile, distDir);
    const { preview } = await import('vite');
    const served = await preview({
      configFile,
      root: APP_DIR,
      logLevel: 'error',
      build: { outDir: distDir },
      preview: { host: '127.0.0.1', port: 0, open: false },
    });
    server = served;
    const origin = new URL(served.resolvedUrls?.local[0] ?? '').origin;
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
    });
    const requests: string[] = [];
    const problems: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && problems.push(`worker console: ${m.text()}`)));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.body.dataset.ready !== undefined, undefined, { timeout: 120_000 });
    const ready = await page.evaluate(() => document.body.dataset.ready);
    if (ready !== 'true') throw new Error(`the page did not start (${ready}): ${problems.join('; ')}`);
    return { page, distDir, origin, requests, problems, close };
  } catch (e) {
    await close();
    throw e;
  }
}
