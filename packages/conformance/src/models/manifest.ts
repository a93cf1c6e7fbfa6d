import { checkFixtureFile } from '../fixture-paths.js';
import {
  checkModelShape,
  checkOptimizerOptions,
  printable,
  SasError,
  validateModelConfig,
  type FreezeSet,
  type ModelConfig,
  type OptimizerOptions,
} from '@sas/core';

/** One training-step case of a model fixture directory (MODEL.md "Fixture files"). */
export interface ModelFixtureCase {
  readonly name: string;
  /** The case's safetensors file as the manifest names it. */
  readonly file: string;
  /** Where to read it: an absolute path on disk, or a URL in a browser. */
  readonly path: string;
  /** On disk: the fixture directory `path` must stay inside, symlinks resolved. */
  readonly root?: string;
  /** The model, with the case's `freeze` folded in. */
  readonly config: ModelConfig;
  readonly batch: number;
  readonly seqLen: number;
  readonly seed?: number;
  /** How the fixture's params were initialised ('random' or 'identity'); informational. */
  readonly init: string;
  /** The frozen params as the manifest lists them. */
  readonly frozen: readonly string[];
  /** The optimizer of the two steps, clipping included. */
  readonly optimizer: OptimizerOptions;
}

/** A model fixture directory: `manifest.json` plus one safetensors file per case. */
export interface ModelFixtureSet {
  readonly dir: string;
  readonly description: string;
  readonly cases: readonly ModelFixtureCase[];
}

/**
 * Validates a parsed model `manifest.json` (no file access: it runs in
 * browsers too); `locate` turns a case's file name into where to read it.
 * Any directory in MODEL.md's layout works. Every defect is an `E_FIXTURE`
 * error naming `where` and the case.
 *
 * @example
 * ```ts
 * import { parseModelManifest } from '@sas/conformance/portable';
 * const set = parseModelManifest(await (await fetch('/models/manifest.json')).json(), '/models/manifest.json', (f) => `/models/${f}`);
 * ```
 */
export function parseModelManifest(manifest: unknown, where: string, locate: (file: string) => string, dir = ''): ModelFixtureSet {
  const m = manifest as { description?: unknown; cases?: unknown };
  if (!m || typeof m !== 'object' || !Array.isArray(m.cases)) throw new SasError('E_FIXTURE', `${where}: expected an object with a "cases" array`);
  const names = new Set<string>();
  const cases = m.cases.map((entry, i) => {
    const c = parseCase(entry, i, locate, where);
    if (names.has(c.name)) throw new SasError('E_FIXTURE', `${where}: case name '${printable(c.name)}' appears twice`);
    names.add(c.name);
    return c;
  });
  return { dir, description: typeof m.description === 'string' ? m.description : '', cases };
}

function parseCase(entry: unknown, index: number, locate: (file: string) => string, manifestPath: string): ModelFixtureCase {
  const e = entry as Record<string, unknown>;
  if (!e || typeof e !== 'object') throw new SasError('E_FIXTURE', `${manifestPath}: case ${index}: expected an object`);
  if (typeof e.name !== 'string' || !e.name) throw new SasError('E_FIXTURE', `${manifestPath}: case ${index}: missing "name"`);
  const where = `${manifestPath}: case ${index} ('${printable(e.name)}')`;
  const fail = (message: string): never => {
    throw new SasError('E_FIXTURE', `${where}: ${message}`);
  };
  if (typeof e.file !== 'string' || !e.file) fail('missing "file"');
  checkFixtureFile(e.file as string, where);
  if (!e.model || typeof e.model !== 'object' || Array.isArray(e.model)) fail(`"model" must be an object (MODEL.md's config), got ${JSON.stringify(e.model)}`);
  const freeze = e.freeze === undefined || e.freeze === '' ? undefined : e.freeze;
  let config: ModelConfig;
  let optimizer: OptimizerOptions;
  try {
    config = validateModelConfig(freeze === undefined ? e.model : { ...(e.model as object), freeze: freeze as FreezeSet });
    checkModelShape(config, e.batch as number, e.seqLen as number);
    optimizer = e.optimizer as OptimizerOptions;
    checkOptimizerOptions(optimizer);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (e.frozen !== undefined && !(Array.isArray(e.frozen) && e.frozen.every((n) => typeof n === 'string'))) fail('"frozen" must be a list of parameter names');
  if (e.init !== undefined && e.init !== 'random' && e.init !== 'identity') fail(`"init" must be 'random' or 'identity', got ${JSON.stringify(e.init)}`);
  return {
    name: e.name,
    file: e.file as string,
    path: locate(e.file as string),
    config,
    batch: e.batch as number,
    seqLen: e.seqLen as number,
    seed: typeof e.seed === 'number' ? e.seed : undefined,
    init: (e.init as string | undefined) ?? 'random',
    frozen: (e.frozen as string[] | undefined) ?? [],
    optimizer,
  };
}
