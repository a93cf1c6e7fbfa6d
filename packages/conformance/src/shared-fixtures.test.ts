// The fixtures bundled with the packages are copies of the shared originals
// (the authors' reference run, beside the repository in ../shared). Every
// bundled folder of this package that has a counterpart there (fixtures/ ↔
// ../shared/fixtures, models/ ↔ ../shared/models, any added later) must hold
// the same files, byte for byte, with one planned exception: the 6.8 MB
// sas-paper-head case ships in its own package (@sas/fixtures-paper-head) so
// that installing @sas/conformance stays small. For fixtures/ the check is
// therefore over both folders together: each shared data file is
// byte-identical to exactly one bundled copy, the two manifests split the
// shared manifest's cases between them (same entries, none lost, none added),
// and only the README (which documents the split) is ours.
// Where ../shared is absent (a clone on its own), the check is skipped, saying
// so; SAS_SHARED_DIR points it elsewhere.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(packageRoot, '../..');
const shared = resolve(process.env.SAS_SHARED_DIR ?? join(repoRoot, '../shared'));
const NOT_BUNDLED = new Set(['src', 'dist', 'node_modules']);
/** Folders that carry part of a shared folder, by the shared folder's name. */
const SPLIT_OFF: Record<string, string[]> = { fixtures: [join(repoRoot, 'packages/fixtures-paper-head/fixtures')] };
/** Files of a split folder that are ours rather than copies: the README explains the split. */
const OURS_IN_SPLIT = new Set(['README.md', 'manifest.json']);

/** Every file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

interface Manifest {
  readonly dtype: string;
  readonly cases: readonly { readonly name: string }[];
}
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
const byName = (cases: readonly { readonly name: string }[]) => [...cases].sort((a, b) => a.name.localeCompare(b.name));

const bundled = readdirSync(packageRoot, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !NOT_BUNDLED.has(e.name) && !e.name.startsWith('.'))
  .map((e) => e.name);

describe('bundled fixtures equal the shared originals', () => {
  if (!existsSync(shared)) {
    it.skip(`skipped: ${shared} does not exist (no shared fixtures beside this checkout; set SAS_SHARED_DIR to compare with another copy)`, () => {});
    return;
  }
  const pairs = bundled.filter((name) => existsSync(join(shared, name)) && statSync(join(shared, name)).isDirectory());

  it('the bundled fixtures/ folder has a shared counterpart', () => {
    expect(pairs).toContain('fixtures');
  });

  for (const name of pairs.filter((n) => !SPLIT_OFF[n])) {
    it(`${name}/ equals ${join(shared, name)}: the same files, byte for byte`, () => {
      const mine = join(packageRoot, name);
      const theirs = join(shared, name);
      expect(filesUnder(mine), `files of ${mine} vs ${theirs}`).toEqual(filesUnder(theirs));
      const differing = filesUnder(theirs).filter((f) => !readFileSync(join(mine, f)).equals(readFileSync(join(theirs, f))));
      expect(differing, `files whose bytes differ from ${theirs}`).toEqual([]);
    });
  }

  for (const name of pairs.filter((n) => SPLIT_OFF[n])) {
    const parts = [join(packageRoot, name), ...SPLIT_OFF[name]!];
    const theirs = join(shared, name);

    it(`${name}/ and its split-off folders hold each data file of ${theirs} exactly once, byte for byte`, () => {
      const copies = parts.flatMap((dir) =>
        filesUnder(dir)
          .filter((f) => !OURS_IN_SPLIT.has(f))
          .map((f) => ({ dir, f })),
      );
      const sharedData = filesUnder(theirs).filter((f) => !OURS_IN_SPLIT.has(f));
      expect(copies.map((c) => c.f).sort(), `data files of ${parts.join(' + ')} vs ${theirs}`).toEqual(sharedData);
      const differing = copies.filter(({ dir, f }) => !readFileSync(join(dir, f)).equals(readFileSync(join(theirs, f))));
      expect(
        differing.map(({ dir, f }) => join(dir, f)),
        `files whose bytes differ from ${theirs}`,
      ).toEqual([]);
    });

    it(`the manifests of ${name}/ and its split-off folders split the shared manifest's cases between them`, () => {
      const original = readManifest(theirs);
      const manifests = parts.map(readManifest);
      for (const m of manifests) expect(m.dtype).toBe(original.dtype);
      expect(byName(manifests.flatMap((m) => m.cases))).toEqual(byName(original.cases));
    });

    it(`${name}/README.md names where the split-off cases went`, () => {
      const readme = readFileSync(join(packageRoot, name, 'README.md'), 'utf8');
      for (const dir of SPLIT_OFF[name]!) {
        for (const c of readManifest(dir).cases) expect(readme).toContain(c.name);
        expect(readme).toContain(relative(repoRoot, dir));
      }
    });
  }
});
