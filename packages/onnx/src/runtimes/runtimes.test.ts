// Smoke tests of the built core (packages/core/dist, plain ESM, unbundled) in
// the runtimes it promises: Deno, Bun and a browser. Each runs smoke.mjs, which
// builds a layer from a fixture case and evaluates it with the reference
// backend; the authors' output must come back within 1e-9. A runtime that is
// not installed here is skipped, with the reason in the test name.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../../../..');
const coreDist = join(root, 'packages/core/dist/index.js');
const entry = join(__dirname, 'cli-entry.mjs');
const CASES = ['sas-small', 'sas-bidirectional', 'gqa-small'];
const CHROMIUM = '/usr/bin/chromium';

/** The platform binary a root devDependency ships (deno, bun), found in pnpm's store. */
function packagedBinary(storePrefix: string, inner: string): string | undefined {
  const store = join(root, 'node_modules/.pnpm');
  if (!existsSync(store)) return undefined;
  const dir = readdirSync(store).find((d) => d.startsWith(storePrefix));
  const bin = dir && join(store, dir, 'node_modules', inner);
  return bin && existsSync(bin) ? bin : undefined;
}

const deno = packagedBinary('@deno+linux-x64-glibc@', '@deno/linux-x64-glibc/deno');
const bun = packagedBinary('@oven+bun-linux-x64@', '@oven/bun-linux-x64/bin/bun');

interface SmokeResult {
  runtime: string;
  case: string;
  how?: string;
  maxError: number;
  elements: number;
  outputs: string[];
}

function parseResult(stdout: string): SmokeResult {
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

it('the core is built as plain ESM with type declarations', () => {
  expect(existsSync(coreDist), `${coreDist} missing: run 'pnpm build' first`).toBe(true);
  expect(existsSync(join(root, 'packages/core/dist/index.d.ts'))).toBe(true);
  expect(JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).type).toBe('module');
});

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}

/** Each fixture case by file path, and the first one also by package name through node_modules. */
const RUNS = [...CASES.map((c) => [c, 'path'] as const), [CASES[0], 'package'] as const];

describe.skipIf(!deno)(`Deno${deno ? '' : ' (skipped: the deno binary is not installed under node_modules/.pnpm)'}`, () => {
  it.each(RUNS)('runs the built core on %s, imported by %s, within 1e-9 of the authors', (name, how) => {
    // No remote modules and read-only access to the repository. By path also no
    // config and no npm; by package, Deno resolves '@sas/core' from node_modules.
    const flags = how === 'path' ? ['--no-config', '--no-npm', '--no-remote'] : ['--no-remote'];
    const stdout = execFileSync(deno!, ['run', ...flags, `--allow-read=${root}`, entry, root, name, how], {
      encoding: 'utf8',
      env: { ...process.env, DENO_DIR: tempDir('sas-deno-'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeout: 60_000,
    });
    const r = parseResult(stdout);
    expect(r.runtime).toMatch(/^deno 2\./);
    expect(r.how).toBe(how);
    expect(r.outputs).toContain('output');
    expect(r.elements).toBeGreaterThan(0);
    expect(r.maxError).toBeLessThan(1e-9);
  });
});

describe.skipIf(!bun)(`Bun${bun ? '' : ' (skipped: the bun binary is not installed under node_modules/.pnpm)'}`, () => {
  it.each(RUNS)('runs the built core on %s, imported by %s, within 1e-9 of the authors', (name, how) => {
    const stdout = execFileSync(bun!, ['--no-install', entry, root, name, how], {
      encoding: 'utf8',
      env: { ...process.env, BUN_INSTALL_CACHE_DIR: tempDir('sas-bun-'), NO_COLOR: '1' },
      timeout: 60_000,
    });
    const r = parseResult(stdout);
    expect(r.runtime).toMatch(/^bun 1\./);
    expect(r.how).toBe(how);
    expect(r.outputs).toContain('output');
    expect(r.maxError).toBeLessThan(1e-9);
  });
});

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.map': 'application/json',
  '.html': 'text/html',
};

/** Serves the repository read-only on 127.0.0.1, recording every request path and status. */
function serveRepo(): Promise<{ server: Server; base: string; requests: { path: string; status: number }[] }> {
  const requests: { path: string; status: number }[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const send = (status: number, type: string, body: string | Buffer) => {
      requests.push({ path, status });
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send(200, 'text/html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>sas smoke</title>');
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return send(404, 'text/plain', 'not found');
    send(200, MIME[extname(file)] ?? 'application/octet-stream', readFileSync(file));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      done({ server, base: `http://127.0.0.1:${port}`, requests });
    }),
  );
}

describe.skipIf(!existsSync(CHROMIUM))(`browser: headless Chromium${existsSync(CHROMIUM) ? '' : ` (skipped: ${CHROMIUM} is not installed)`}`, () => {
  let served: Awaited<ReturnType<typeof serveRepo>>;
  let close: () => Promise<void>;
  let page: import('playwright-core').Page;

  beforeAll(async () => {
    served = await serveRepo();
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(tempDir('sas-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${served.base}/`);
    close = async () => {
      await context.close();
      await new Promise((r) => served.server.close(r));
    };
  });
  afterAll(async () => {
    await close?.();
  });

  it.each(CASES)('imports packages/core/dist/index.js unbundled as an ES module and runs %s within 1e-9', async (name) => {
    // A string, not a function: vitest rewrites import() inside test-file functions.
    const r = (await page.evaluate(`(async () => {
      const core = await import('/packages/core/dist/index.js');
      const { smoke } = await import('/packages/onnx/src/runtimes/smoke.mjs');
      const manifest = await (await fetch('/packages/conformance/fixtures/manifest.json')).json();
      const entry = manifest.cases.find((c) => c.name === ${JSON.stringify(name)});
      const bytes = new Uint8Array(await (await fetch('/packages/conformance/fixtures/' + entry.file)).arrayBuffer());
      return { runtime: navigator.userAgent, ...(await smoke(core, bytes, entry)) };
    })()`)) as SmokeResult;
    expect(r.runtime).toMatch(/HeadlessChrome|Chromium/);
    expect(r.outputs).toContain('output');
    expect(r.maxError).toBeLessThan(1e-9);
    // Unbundled: the browser fetched the core's modules one by one, and none was missing.
    expect(served.requests.filter((q) => q.path.startsWith('/packages/core/dist/') && q.path.endsWith('.js')).length).toBeGreaterThan(10);
    expect(served.requests.filter((q) => q.status !== 200)).toEqual([]);
  });
});
