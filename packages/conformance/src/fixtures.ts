import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getTensor, layerParams, parseSafetensors, SasError, validateConfig, type LayerConfig, type SafetensorsContents, type Tensor } from '@sas/core';

/** One case of a fixture directory: a layer configuration and its safetensors file. */
export interface FixtureCase {
  readonly name: string;
  /** Absolute path of the case's safetensors file. */
  readonly path: string;
  readonly config: LayerConfig;
  readonly seed?: number;
}

/** A fixture directory: `manifest.json` plus one safetensors file per case. */
export interface FixtureSet {
  readonly dir: string;
  readonly description: string;
  readonly cases: readonly FixtureCase[];
}

/** The case's tensors, checked against its configuration. */
export interface CaseTensors {
  readonly inputs: Record<string, Tensor>;
  readonly params: Record<string, Tensor>;
  /** Fixture tensors to compare against: `output` and any `trace.*` present. */
  readonly expected: Record<string, Tensor>;
  /** `cotangent` and `grad.*`, when the case carries gradients. */
  readonly cotangent?: Tensor;
  readonly grads: Record<string, Tensor>;
}

/**
 * The fixtures bundled with this package (copied from the authors' reference run).
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet } from '@sas/conformance';
 * loadFixtureSet(bundledFixturesDir()).cases.length; // 12
 * ```
 */
export function bundledFixturesDir(): string {
  // src/ and dist/ both sit one level below the package root, beside fixtures/.
  return fileURLToPath(new URL('../fixtures', import.meta.url));
}

/**
 * Reads and validates `dir/manifest.json`. Any directory in the same format
 * works; every defect is an `E_FIXTURE` error naming the file and the case.
 *
 * @example
 * ```ts
 * import { loadFixtureSet } from '@sas/conformance';
 * const set = loadFixtureSet('/path/to/fixtures');
 * set.cases.map((c) => c.name);
 * ```
 */
export function loadFixtureSet(dir: string): FixtureSet {
  const root = resolve(dir);
  const manifestPath = join(root, 'manifest.json');
  let text: string;
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
    text = readFileSync(manifestPath, 'utf8');
  } catch (e) {
    throw new SasError('E_FIXTURE', `${manifestPath}: cannot read the fixture manifest (${(e as Error).message})`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new SasError('E_FIXTURE', `${manifestPath}: not valid JSON (${(e as Error).message})`);
  }
  const m = manifest as { description?: unknown; cases?: unknown };
  if (!m || typeof m !== 'object' || !Array.isArray(m.cases)) throw new SasError('E_FIXTURE', `${manifestPath}: expected an object with a "cases" array`);
  const names = new Set<string>();
  const cases = m.cases.map((entry, i) => {
    const c = parseCase(entry, i, root, manifestPath);
    if (names.has(c.name)) throw new SasError('E_FIXTURE', `${manifestPath}: case name '${c.name}' appears twice`);
    names.add(c.name);
    return c;
  });
  return { dir: root, description: typeof m.description === 'string' ? m.description : '', cases };
}

function parseCase(entry: unknown, index: number, root: string, manifestPath: string): FixtureCase {
  const e = entry as Record<string, unknown>;
  const where = `${manifestPath}: case ${index}`;
  if (!e || typeof e !== 'object') throw new SasError('E_FIXTURE', `${where}: expected an object`);
  if (typeof e.name !== 'string' || !e.name) throw new SasError('E_FIXTURE', `${where}: missing "name"`);
  if (typeof e.file !== 'string' || !e.file) throw new SasError('E_FIXTURE', `${where} ('${e.name}'): missing "file"`);
  const kind = e.kind;
  // Baseline manifests may leave kvHeads implicit where the kind fixes it.
  const kvHeads = e.kvHeads ?? (kind === 'mha' ? e.heads : kind === 'mqa' ? 1 : undefined);
  const raw = kind === 'sas'
    ? { kind, batch: e.batch, seqLen: e.seqLen, heads: e.heads, headDim: e.headDim, simHeads: e.simHeads, simHeadDim: e.simHeadDim, kernelSize: e.kernelSize, causal: e.causal }
    : { kind, batch: e.batch, seqLen: e.seqLen, heads: e.heads, headDim: e.headDim, kvHeads, causal: e.causal };
  let config: LayerConfig;
  try {
    config = validateConfig(raw);
  } catch (err) {
    throw new SasError('E_FIXTURE', `${where} ('${e.name}'): ${(err as Error).message}`);
  }
  return { name: e.name, path: join(root, e.file), config, seed: typeof e.seed === 'number' ? e.seed : undefined };
}

/**
 * Reads a case's safetensors file and sorts its tensors into inputs, params,
 * expected outputs and gradients, checking every shape against the config.
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet, loadCaseTensors } from '@sas/conformance';
 * const [first] = loadFixtureSet(bundledFixturesDir()).cases;
 * loadCaseTensors(first).inputs.query.shape; // [1, 4, 2, 4]
 * ```
 */
export function loadCaseTensors(c: FixtureCase): CaseTensors {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(c.path));
  } catch (e) {
    throw new SasError('E_FIXTURE', `${c.path}: cannot read case '${c.name}' (${(e as Error).message})`);
  }
  return sortCaseTensors(parseSafetensors(bytes, c.path), c);
}

function sortCaseTensors(contents: SafetensorsContents, c: FixtureCase): CaseTensors {
  const { batch, seqLen, heads, headDim } = c.config;
  const kvHeads = c.config.kind === 'sas' ? heads : c.config.kvHeads;
  const inputShapes: Record<string, number[]> = {
    query: [batch, seqLen, heads, headDim],
    key: [batch, seqLen, kvHeads, headDim],
    value: [batch, seqLen, kvHeads, headDim],
  };
  const inputs: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(inputShapes)) inputs[name] = getTensor(contents, `input.${name}`, shape, c.path);
  const params: Record<string, Tensor> = {};
  for (const p of layerParams(c.config)) params[p.name] = getTensor(contents, p.name, p.shape, c.path);
  const width = heads * headDim;
  const expected: Record<string, Tensor> = { output: getTensor(contents, 'output', [batch, seqLen, width], c.path) };
  for (const name of contents.tensors.keys()) {
    if (name.startsWith('trace.')) expected[name] = contents.tensors.get(name)!;
  }
  const grads: Record<string, Tensor> = {};
  const cotangent = contents.tensors.has('cotangent') ? getTensor(contents, 'cotangent', [batch, seqLen, width], c.path) : undefined;
  if (cotangent) {
    for (const [name, t] of [...Object.entries(inputs).map(([n, t]) => [`input.${n}`, t] as const), ...Object.entries(params)]) {
      const key = `grad.${name}`;
      if (contents.tensors.has(key)) grads[key] = getTensor(contents, key, t.shape, c.path);
    }
  }
  return { inputs, params, expected, cotangent, grads };
}
