import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundledFixturesDir, bundledModelFixturesDir, loadFixtureSet, parseGenerationRecord } from '@sas/conformance';
import { CHROMIUM_PATH } from '../../../../tools/browser-page.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DIR, openPlayground, type PlaygroundPage } from './harness.js';

// The production build in headless Chromium, driven as a visitor would: click, wait, read the page.
// One build, one browser, one page for every test (2 shared cores); the tests run in order.
const recordPath = join(bundledModelFixturesDir(), 'generation', 'gen-sas-brown.json');
const record = parseGenerationRecord(JSON.parse(readFileSync(recordPath, 'utf8')), recordPath, (f) => f);
/** The layer cases the playground bundles: @sas/conformance's (the paper-head case ships apart). */
const LAYER_CASES = loadFixtureSet(bundledFixturesDir()).cases.length;

/** Where the screenshot goes: PLAYGROUND_SCREENSHOT (e.g. docs/playground.png, from the repository root), else the build's folder. */
const screenshotTarget = (app: PlaygroundPage) =>
  process.env.PLAYGROUND_SCREENSHOT ? join(APP_DIR, '..', '..', process.env.PLAYGROUND_SCREENSHOT) : join(app.distDir, '..', 'playground.png');

/**
 * Hosts that appear in the built files only inside comments, error messages
 * and XML namespaces (never fetched: the request log proves what is).
 */
const TEXT_ONLY_HOSTS: Readonly<Record<string, string>> = {
  'github.com': 'links in tfjs, gpu.js and vega-lite messages and comments',
  'www.w3.org': 'SVG and XLink namespaces (vega renders SVG)',
  'www.shadertoy.com': 'a comment in gpu.js shader source',
  'web.dev': "ONNX Runtime Web's message about cross-origin isolation",
  'vega.github.io': 'the $schema string vega-lite writes into compiled specs',
  'rolldown.rs': "the bundler's message for a require() it cannot bundle",
  'feross.org': 'a licence comment (buffer)',
  'emscripten.org': 'a comment in an Emscripten loader',
  'arxiv.org': 'a comment citing a paper',
};

const CDN_HOSTS = /cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|storage\.googleapis\.com|tfhub\.dev|esm\.sh|skypack\.dev/;

function builtTextFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && /\.(html|js|mjs|css)$/.test(f));
}

describe('the playground, built for production, in headless Chromium', () => {
  if (!existsSync(CHROMIUM_PATH)) {
    it.skip(`every end-to-end check (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium)`, () => {});
    return;
  }
  let app: PlaygroundPage;

  beforeAll(async () => {
    app = await openPlayground();
  }, 300_000);

  afterAll(async () => {
    await app?.close();
  });

  it('loads with no console error, cross-origin isolated (COOP/COEP from the server)', async () => {
    expect(app.problems).toEqual([]);
    expect(await app.page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await app.page.locator('#conformance tr[data-backend]').count()).toBe(5);
  });

  // The char GPT fixtures too where they are cheap (seconds on the WebAssembly backends; 2–3 minutes each on the
  // SwiftShader WebGL ones, which docs/playground.md lists as measured by hand).
  const WITH_MODEL_FIXTURES = new Set(['ndarray', 'tfjs-wasm', 'onnx-wasm']);

  it('every backend the browser offers passes its conformance verdict on every bundled layer fixture (and the char GPT fixtures on wasm)', {
    timeout: 900_000,
  }, async () => {
    const rows = app.page.locator('#conformance tr[data-backend]');
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.backend!));
    const offered: string[] = [];
    for (const id of ids) {
      const row = app.page.locator(`#conformance tr[data-backend="${id}"]`);
      if ((await row.getAttribute('data-state')) === 'unavailable') {
        console.info(`conformance: ${id} not offered here: ${await row.locator('td.detail').textContent()}`);
        continue;
      }
      offered.push(id);
      await app.page.setChecked('#conf-models', WITH_MODEL_FIXTURES.has(id));
      await row.locator('button').click();
      await app.page.waitForFunction((b) => !['idle', 'running'].includes(document.querySelector(`tr[data-backend="${b}"]`)!.getAttribute('data-state')!), id, {
        timeout: 600_000,
      });
      const [state, verdict, detail] = [
        await row.getAttribute('data-state'),
        await row.locator('td.verdict').textContent(),
        await row.locator('td.detail').textContent(),
      ];
      console.info(`conformance: ${id}: ${verdict} — ${detail}`);
      expect({ id, state, verdict }).toEqual({ id, state: 'pass', verdict: expect.stringContaining(`${LAYER_CASES}/${LAYER_CASES} cases pass`) });
      if (WITH_MODEL_FIXTURES.has(id)) expect(await row.locator('div.models').getAttribute('data-models')).toBe('pass');
    }
    // Every Chromium with WebAssembly offers these three; headless Chromium here (SwiftShader) offers all five.
    expect(offered).toEqual(expect.arrayContaining(['ndarray', 'tfjs-wasm', 'onnx-wasm']));
    expect(app.problems).toEqual([]);
  });

  // The three WebAssembly backends (seconds each; the WebGL ones were checked by hand, docs/playground.md), ndarray
  // last so that the attention maps below run on the default backend.
  it('greedy generation in the page equals the fixture’s string (PyTorch’s, from the same checkpoint) on the wasm backends', { timeout: 300_000 }, async () => {
    for (const id of ['onnx-wasm', 'tfjs-wasm', 'ndarray']) {
      await app.page.selectOption('#backend', id);
      await app.page.fill('#gen-prompt', record.prompt);
      await app.page.fill('#gen-max', String(record.newTokens));
      await app.page.fill('#gen-temperature', '0');
      await app.page.click('#gen-start');
      await app.page.waitForFunction(() => document.getElementById('gen-output')!.dataset.state !== 'running', undefined, { timeout: 240_000 });
      expect({ id, state: await app.page.locator('#gen-output').getAttribute('data-state') }).toEqual({ id, state: 'done' });
      expect({ id, text: await app.page.locator('#gen-text').textContent() }).toEqual({ id, text: record.greedy });
      expect(await app.page.locator('#gen-match').getAttribute('data-match')).toBe('true');
      // Tokens/s per backend: a row for the backend that ran.
      expect(await app.page.locator(`table.speeds tr[data-backend="${id}"]`).count()).toBe(1);
      console.info(`generation: ${await app.page.locator('#gen-stats').textContent()}`);
    }
    expect(await app.page.locator('table.speeds tr[data-backend]').count()).toBe(3);
    expect(app.problems).toEqual([]);
  });

  it('attention maps: 8 simulated heads beside 4 MHA-view heads, and a hovered cell shows its probability', { timeout: 120_000 }, async () => {
    await app.page.click('#maps-show');
    await app.page.waitForFunction(() => document.getElementById('attention')!.dataset.state !== 'running', undefined, { timeout: 100_000 });
    expect(await app.page.locator('#attention').getAttribute('data-state')).toBe('done');
    expect(await app.page.locator('#maps-sim canvas').count()).toBe(8);
    expect(await app.page.locator('#maps-mha canvas').count()).toBe(4);
    // Query 0 sees only key 0: its probability is 1 in every head.
    const canvas = app.page.locator('#maps-sim canvas').first();
    const box = (await canvas.boundingBox())!;
    await app.page.mouse.move(box.x + 1, box.y + 1);
    expect(await app.page.locator('#heatmap-tooltip').textContent()).toBe("block 0 · H′ head 0 · query 0 'T' → key 0 'T': 1.0000");
    expect(await app.page.locator('#costs tbody tr').count()).toBe(6);
    expect(app.problems).toEqual([]);
  });

  it('training in the worker: 20 steps lower the loss; stop stops it and resume continues the same run', { timeout: 600_000 }, async () => {
    const losses = () => app.page.locator('#train-log li').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.loss)));
    await app.page.click('#train-start');
    await app.page.waitForFunction(() => document.querySelectorAll('#train-log li').length >= 20, undefined, { timeout: 500_000 });
    await app.page.click('#train-stop');
    await app.page.waitForFunction(() => document.getElementById('train')!.dataset.state === 'stopped', undefined, { timeout: 60_000 });
    const first = await losses();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.info(
      `training: ${first.length} steps, loss ${first[0].toFixed(3)} → ${first[first.length - 1].toFixed(3)}; ${await app.page.locator('#train-status').textContent()}`,
    );
    expect(first.length).toBeGreaterThanOrEqual(20);
    expect(first.every(Number.isFinite)).toBe(true);
    expect(mean(first.slice(15, 20))).toBeLessThan(mean(first.slice(0, 5)));
    // Stopped: no step arrives while stopped.
    await app.page.waitForTimeout(1500);
    expect((await losses()).length).toBe(first.length);
    // Resumed: the same run goes on from the next step.
    await app.page.click('#train-resume');
    await app.page.waitForFunction((n) => document.querySelectorAll('#train-log li').length >= n + 2, first.length, { timeout: 120_000 });
    await app.page.click('#train-stop');
    await app.page.waitForFunction(() => document.getElementById('train')!.dataset.state === 'stopped', undefined, { timeout: 60_000 });
    const steps = await app.page.locator('#train-log li').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset.step)));
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    expect(app.problems).toEqual([]);
  });

  it('saves a screenshot of the page after all of the above', async () => {
    const path = screenshotTarget(app);
    await app.page.mouse.move(0, 0);
    await app.page.screenshot({ path, fullPage: true });
    const png = readFileSync(path);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    console.info(`screenshot: ${path} (${png.length} bytes)`);
  });

  it('asked nothing of any origin but its own, and its built files name no CDN or other host to load from', () => {
    const foreign = app.requests.filter((url) => !url.startsWith(`${app.origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(app.requests.length).toBeGreaterThan(20);
    const files = builtTextFiles(app.distDir);
    const hosts = new Map<string, string>();
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file: relative(app.distDir, file), cdn: CDN_HOSTS.test(text) }).toEqual({ file: relative(app.distDir, file), cdn: false });
      for (const m of text.matchAll(/https?:\/\/([a-zA-Z0-9.-]+)/g)) hosts.set(m[1], relative(app.distDir, file));
    }
    const unexplained = [...hosts].filter(([host]) => !(host in TEXT_ONLY_HOSTS)).map(([host, file]) => `${host} in ${file}`);
    expect(unexplained).toEqual([]);
    const html = readFileSync(join(app.distDir, 'index.html'), 'utf8');
    expect([...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]).filter((u) => /^(https?:)?\/\//.test(u))).toEqual([]);
  });
});
