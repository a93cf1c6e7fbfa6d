import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.safetensors': 'application/octet-stream' };

/** The test page: imports the bundle and flags readiness for the driver. */
const INDEX = `<!doctype html><meta charset="utf-8"><title>SAS tfjs</title>
<script type="module">import api from '/page.js'; window.sasTfjs = api; document.title = 'ready';</script>`;

/**
 * A tiny static server on 127.0.0.1 (random port): `/` is the test page,
 * `/fixtures/*` the fixture files, anything else the bundle's files (page.js
 * and its chunks). Paths never escape their directories.
 *
 * @example
 * ```ts
 * const { url, close } = await servePage('/tmp/sas-tfjs-page', '/path/to/fixtures');
 * // … drive a browser at url …
 * await close();
 * ```
 */
export async function servePage(bundleDir: string, fixturesDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const inside = (root: string, rel: string) => {
    const full = normalize(join(root, rel));
    return full.startsWith(normalize(root) + sep) ? full : undefined;
  };
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path === '/' ? null : path.startsWith('/fixtures/') ? inside(fixturesDir, path.slice('/fixtures/'.length)) : inside(bundleDir, path.slice(1));
    try {
      if (file === undefined) throw new Error('not found');
      const body = file === null ? INDEX : await readFile(file);
      res.writeHead(200, { 'content-type': file === null ? TYPES['.html'] : (TYPES[extname(file)] ?? 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}
