import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every module the main entry reaches through relative imports, with the bare specifiers it imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^(?:import|export)\b[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((x) => x.startsWith('.'))) visit(join(dirname(file), s.replace(/\.js$/, '.ts')));
  };
  visit(entry);
  return seen;
}

describe('@sas/data entry points', () => {
  it('the main entry imports nothing but @sas/core (no node: modules), so it runs in browsers', () => {
    const graph = importGraph(resolve(__dirname, 'index.ts'));
    expect(graph.size).toBeGreaterThan(5);
    for (const [file, bare] of graph) for (const s of bare) expect(s, `${file} imports ${s}`).toBe('@sas/core');
  });

  it('the Node part lives behind @sas/data/brown', () => {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect(pkg.exports['./brown']['@sas/source']).toBe('./src/brown.ts');
    const bare = [...importGraph(resolve(__dirname, 'brown.ts')).values()].flat();
    expect(bare).toContain('node:fs');
  });
});
