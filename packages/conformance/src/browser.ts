/**
 * @sas/conformance/browser — the Node side of a backend's browser test: bundle
 * a page entry with vite, serve it and the fixtures on 127.0.0.1, and open it
 * in Debian's headless Chromium through playwright-core. Node only; vite and
 * playwright-core are loaded on demand.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless flags that work as root on a closed network (TOOLCHAIN.md). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** WebGPU in headless Chromium: a SwiftShader (Vulkan) adapter. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader'];

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

/** What to open: a page entry module that assigns its API to `globalThis[globalName]`. */
export interface BrowserPageOptions {
  /** Absolute path of the page's entry module (TypeScript is fine: vite bundles it). */
  readonly entry: string;
  /** The package root vite resolves from. */
  readonly root: string;
  /** The global the entry sets; the harness waits for it. */
  readonly globalName: string;
  /** Served under /fixtures/. */
  readonly fixturesDir: string;
  /** Served under /models/ when given: a model fixture directory (MODEL.md's layout). */
  readonly modelFixturesDir?: string;
}

/** An open page, the errors it logged, and how to close everything. */
export interface BrowserPage {
  readonly page: Page;
  readonly problems: string[];
  close(): Promise<void>;
}

async function bundle(entry: string, root: string, outDir: string): Promise<void> {
  const { build, defaultClientConditions } = await import('vite');
  await build({
    configFile: false,
    root,
    logLevel: 'error',
    // Workspace packages from source (the @sas/source condition): nothing needs building first.
    resolve: { conditions: ['@sas/source', ...defaultClientConditions] },
    build: { outDir, emptyOutDir: true, minify: false, target: 'es2022', lib: { entry, formats: ['es'], fileName: () => 'page.js' } },
  });
}

/**
 * `/` is a page importing the bundle, `/fixtures/*` the fixtures, `/models/*` the model fixtures (when
 * given), the rest the bundle's files; paths never escape their folders.
 */
async function serve(
  bundleDir: string,
  fixturesDir: string,
  modelFixturesDir: string | undefined,
  globalName: string,
): Promise<{ url: string; server: Server }> {
  const index = `<!doctype html><meta charset="utf-8"><title>SAS</title>\n<script type="module">import '/page.js'; if (globalThis.${globalName}) document.title = 'ready';</script>`;
  const inside = (root: string, rel: string) => {
    const full = normalize(join(root, rel));
    return full.startsWith(normalize(root) + sep) ? full : undefined;
  };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mounted = (prefix: string, dir: string | undefined) => (path.startsWith(prefix) && dir ? inside(dir, path.slice(prefix.length)) : undefined);
    const file =
      path === '/'
        ? null
        : path.startsWith('/fixtures/')
          ? mounted('/fixtures/', fixturesDir)
          : path.startsWith('/models/')
            ? mounted('/models/', modelFixturesDir)
            : inside(bundleDir, path.slice(1));
    try {
      if (file === undefined) throw new Error('not found');
      const body = file === null ? index : await readFile(file);
      res.writeHead(200, { 'content-type': file === null ? TYPES['.html'] : (TYPES[extname(file)] ?? 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

/**
 * Bundles the entry, serves it, and opens it in headless Chromium with a fresh
 * profile; resolves once the entry has set its global. `close()` shuts the
 * browser and the server and removes the temporary folder.
 *
 * @example
 * ```ts
 * import { openBrowserPage, CHROMIUM_PATH } from '@sas/conformance/browser';
 * const browser = await openBrowserPage({ entry: '/pkg/src/browser/page.ts', root: '/pkg', globalName: 'sasGpujs', fixturesDir });
 * const modes = await browser.page.evaluate(() => (globalThis as any).sasGpujs.runtimeModes());
 * await browser.close();
 * ```
 */
export async function openBrowserPage(options: BrowserPageOptions): Promise<BrowserPage> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  const work = mkdtempSync(join(tmpdir(), 'sas-page-'));
  let context: BrowserContext | undefined;
  let server: Server | undefined;
  const close = async () => {
    await context?.close();
    await new Promise<void>((ok) => (server ? server.close(() => ok()) : ok()));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await bundle(options.entry, options.root, join(work, 'bundle'));
    const served = await serve(join(work, 'bundle'), options.fixturesDir, options.modelFixturesDir, options.globalName);
    server = served.server;
    const { chromium } = await import('playwright-core');
    // launchPersistentContext is how playwright takes a fresh --user-data-dir.
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_FLAGS, ...WEBGPU_FLAGS],
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    await page.goto(served.url);
    await page
      .waitForFunction(() => document.title === 'ready', undefined, { timeout: 60_000 })
      .catch((e: Error) => {
        throw new Error(`the page did not load the bundle: ${e.message}\n${problems.join('\n')}`);
      });
    return { page, problems, close };
  } catch (e) {
    await close();
    throw e;
  }
}
