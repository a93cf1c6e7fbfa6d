// The fixtures bundled with this package are copies of the shared originals
// (the authors' reference run, beside the repository in ../shared): every
// bundled folder that has a counterpart there (fixtures/ ↔ ../shared/fixtures,
// models/ ↔ ../shared/models, any added later) must hold the same files, byte
// for byte. Where ../shared is absent (a clone on its own), the check is
// skipped, saying so; SAS_SHARED_DIR points it elsewhere.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = resolve(packageRoot, '../..');
const shared = resolve(process.env.SAS_SHARED_DIR ?? join(repoRoot, '../shared'));
const NOT_BUNDLED = new Set(['src', 'dist', 'node_modules']);

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

  for (const name of pairs) {
    it(`${name}/ equals ${join(shared, name)}: the same files, byte for byte`, () => {
      const mine = join(packageRoot, name);
      const theirs = join(shared, name);
      expect(filesUnder(mine), `files of ${mine} vs ${theirs}`).toEqual(filesUnder(theirs));
      const differing = filesUnder(theirs).filter((f) => !readFileSync(join(mine, f)).equals(readFileSync(join(theirs, f))));
      expect(differing, `files whose bytes differ from ${theirs}`).toEqual([]);
    });
  }
});
