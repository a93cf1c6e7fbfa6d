import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors, validateConfig, type LayerConfig, type Tensor } from '@sas/core';
import { bundledFixturesDir } from '@sas/conformance';

/** The SAS authors' reference fixtures (float64, from their PyTorch code), as bundled in @sas/conformance. */
export const FIXTURES_DIR = bundledFixturesDir();

/** One fixture case: its configuration and every tensor in its file, by name. */
export interface LocalFixture {
  readonly name: string;
  readonly config: LayerConfig;
  readonly tensors: Record<string, Tensor>;
}

/** Names of the cases in the manifest. */
export function fixtureNames(dir = FIXTURES_DIR): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: { name: string }[] };
  return manifest.cases.map((c) => c.name);
}

/** Loads one case with `parseSafetensors`; the config comes from the manifest entry. */
export function loadFixture(name: string, dir = FIXTURES_DIR): LocalFixture {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  const entry = manifest.cases.find((c) => c.name === name);
  if (!entry) throw new Error(`no fixture case '${name}' in ${dir}`);
  const { file, seed: _seed, name: _name, ...config } = entry;
  const file_ = join(dir, file as string);
  const parsed = parseSafetensors(new Uint8Array(readFileSync(file_)), file_);
  return { name, config: validateConfig(config), tensors: Object.fromEntries(parsed.tensors) };
}
