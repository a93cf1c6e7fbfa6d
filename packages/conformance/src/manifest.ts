import { printable, SasError, validateConfig, type LayerConfig } from '@sas/core';
import { checkFixtureFile } from './fixture-paths.js';

/** One case of a fixture directory: a layer configuration and its safetensors file. */
export interface FixtureCase {
  readonly name: string;
  /** The case's safetensors file as the manifest names it. */
  readonly file: string;
  /** Where to read it: an absolute path on disk, or a URL in a browser. */
  readonly path: string;
  /** On disk: the fixture directory `path` must stay inside, symlinks resolved. */
  readonly root?: string;
  readonly config: LayerConfig;
  readonly seed?: number;
}

/** A fixture directory: `manifest.json` plus one safetensors file per case. */
export interface FixtureSet {
  readonly dir: string;
  readonly description: string;
  readonly cases: readonly FixtureCase[];
}

/**
 * Validates a parsed `manifest.json` (no file access: it runs in browsers too).
 * `locate` turns a case's file name into where to read it. Every defect is an
 * `E_FIXTURE` error naming `where` and the case.
 *
 * @example
 * ```ts
 * import { parseManifest } from '@sas/conformance/portable';
 * const set = parseManifest(await (await fetch('/fixtures/manifest.json')).json(), '/fixtures/manifest.json', (f) => `/fixtures/${f}`);
 * ```
 */
export function parseManifest(manifest: unknown, where: string, locate: (file: string) => string, dir = ''): FixtureSet {
  const m = manifest as { description?: unknown; cases?: unknown };
  if (!m || typeof m !== 'object' || !Array.isArray(m.cases)) throw new SasError('E_FIXTURE', `${where}: expected an object with a "cases" array`);
  if (m.cases.length === 0) throw new SasError('E_FIXTURE', `${where}: lists no cases (nothing to check)`);
  const names = new Set<string>();
  const cases = m.cases.map((entry, i) => {
    const c = parseCase(entry, i, locate, where);
    if (names.has(c.name)) throw new SasError('E_FIXTURE', `${where}: case name '${printable(c.name)}' appears twice`);
    names.add(c.name);
    return c;
  });
  return { dir, description: typeof m.description === 'string' ? m.description : '', cases };
}

function parseCase(entry: unknown, index: number, locate: (file: string) => string, manifestPath: string): FixtureCase {
  const e = entry as Record<string, unknown>;
  const where = `${manifestPath}: case ${index}`;
  if (!e || typeof e !== 'object') throw new SasError('E_FIXTURE', `${where}: expected an object`);
  if (typeof e.name !== 'string' || !e.name) throw new SasError('E_FIXTURE', `${where}: missing "name"`);
  const named = `${where} ('${printable(e.name)}')`;
  if (typeof e.file !== 'string' || !e.file) throw new SasError('E_FIXTURE', `${named}: missing "file"`);
  checkFixtureFile(e.file, named);
  const kind = e.kind;
  // Baseline manifests may leave kvHeads implicit where the kind fixes it.
  const kvHeads = e.kvHeads ?? (kind === 'mha' ? e.heads : kind === 'mqa' ? 1 : undefined);
  const raw =
    kind === 'sas'
      ? {
          kind,
          batch: e.batch,
          seqLen: e.seqLen,
          heads: e.heads,
          headDim: e.headDim,
          simHeads: e.simHeads,
          simHeadDim: e.simHeadDim,
          kernelSize: e.kernelSize,
          causal: e.causal,
        }
      : { kind, batch: e.batch, seqLen: e.seqLen, heads: e.heads, headDim: e.headDim, kvHeads, causal: e.causal };
  let config: LayerConfig;
  try {
    config = validateConfig(raw);
  } catch (err) {
    throw new SasError('E_FIXTURE', `${named}: ${(err as Error).message}`);
  }
  return { name: e.name, file: e.file, path: locate(e.file), config, seed: typeof e.seed === 'number' ? e.seed : undefined };
}

/**
 * The cases of `set` named in `names` (all of them when `names` is
 * undefined), in manifest order. A name matching no case, or an empty list,
 * is an `E_INPUT` error: a run that checks nothing must not pass.
 *
 * @example
 * ```ts
 * import { bundledFixturesDir, loadFixtureSet, selectCases } from '@sas/conformance';
 * selectCases(loadFixtureSet(bundledFixturesDir()), ['sas-tiny']).length; // 1
 * selectCases(loadFixtureSet(bundledFixturesDir()), ['no-such-case']);   // throws E_INPUT: cases: no case 'no-such-case' in …
 * ```
 */
export function selectCases(set: FixtureSet, names: readonly string[] | undefined): readonly FixtureCase[] {
  if (names === undefined) return set.cases;
  if (names.length === 0) throw new SasError('E_INPUT', `cases: an empty list selects nothing to check in ${set.dir}`);
  const known = new Set(set.cases.map((c) => c.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `'${printable(n)}'`).join(', ');
    throw new SasError('E_INPUT', `cases: no case ${list} in ${set.dir} (cases: ${printable(set.cases.map((c) => c.name).join(', '))})`);
  }
  const wanted = new Set(names);
  return set.cases.filter((c) => wanted.has(c.name));
}
