// Hostile input, class 5: safetensors headers of many tensors (checked in one
// pass), deeply nested JSON (refused with the file named, not a stack
// overflow), and control characters in names (escaped in every report and
// error, so a case name cannot forge a PASS line).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, graphFromJSON, parseSafetensors, referenceProvider, serializeSafetensors, tensor } from '@sas/core';
import { bundledFixturesDir, formatReport, loadFixtureSet, runConformance } from '../index.js';
import { catalogue, re, sas } from './record.js';

const { expectError } = catalogue('json-and-reports');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sas-json-'));
  dirs.push(d);
  return d;
}

/** A safetensors file holding only the header `text`. */
function headerFile(text: string): Uint8Array {
  const header = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + header.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  return out;
}
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const manifest = JSON.parse(readFileSync(join(bundledFixturesDir(), 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
const tiny = manifest.cases.find((c) => c.name === 'sas-tiny')!;

describe('catalogue: safetensors headers of many tensors', () => {
  // 65 536 entries: the duplicate check used to be indexOf per key (quadratic: 6.7 s for this
  // check alone at this size, ×18 per ×4 tensors; docs/reliability.md). A Set keeps it one pass.
  const n = 2 ** 16;
  const entries = Array.from({ length: n }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);

  it(`reads ${n} tensors, every one`, () => {
    const { tensors } = parseSafetensors(headerFile(`{${entries.join(',')}}`), 'many.safetensors');
    expect(tensors.size).toBe(n);
    expect(tensors.get(`t${n - 1}`)?.shape).toEqual([0]);
  });

  it('finds a duplicate name at the very end', () =>
    expectError('safetensors: duplicate among 65536 names', 'E_SAFETENSORS', "many.safetensors: header lists 't0' more than once", () =>
      parseSafetensors(headerFile(`{${entries.join(',')},${entries[0]}}`), 'many.safetensors'),
    ));
});

describe('catalogue: deeply nested JSON is refused with the file named', () => {
  it('in a safetensors header (a stack overflow before: "Maximum call stack size exceeded")', () =>
    expectError(
      'safetensors: header nested 100000 deep',
      'E_SAFETENSORS',
      'deep.safetensors: header: JSON nested deeper than 64 levels (refused before parsing)',
      () => parseSafetensors(headerFile(`{"w":${nested(100_000)}}`), 'deep.safetensors'),
    ));

  it('in a graph JSON document', () =>
    expectError('graph JSON nested 100000 deep', 'E_GRAPH', 'g.json: JSON nested deeper than 64 levels (refused before parsing)', () =>
      graphFromJSON(`{"format":"sas-graph","version":2,"dtype":"float32","nodes":[{"op":"Input","inputs":[],"attrs":{"shape":${nested(100_000)}}}]}`, 'g.json'),
    ));

  it('in a fixture manifest', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), `{"cases":[{"name":"x","file":"x.safetensors","kind":${nested(100_000)}}]}`);
    return expectError(
      'fixture manifest nested 100000 deep',
      'E_FIXTURE',
      `${join(dir, 'manifest.json')}: JSON nested deeper than 64 levels (refused before parsing)`,
      () => loadFixtureSet(dir),
    );
  });

  it('in a layer configuration given to sas export', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), `{"kind":${nested(100_000)}}`);
    const r = sas(['export', '--format', 'onnx', '--weights', join(dir, 'w'), '--config', join(dir, 'c.json'), '--out', join(dir, 'o.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sas: ${join(dir, 'c.json')}: JSON nested deeper than 64 levels (refused before parsing)\n`);
  });

  it('brackets inside strings do not count; 64 levels are accepted', () => {
    const { metadata } = parseSafetensors(headerFile(`{"__metadata__":{"note":"${'['.repeat(1000)}"}}`), 'ok.safetensors');
    expect(metadata.note).toHaveLength(1000);
    expect(() => graphFromJSON(`{"a":${nested(63)}}`, 'g.json')).toThrow(/not a sas-graph document/);
  });
});

describe('catalogue: control characters in names are escaped', () => {
  const forged = 'x\nPASS  sas-tiny                 sas  25 tensors  max|err| 0.00e+0\nOK: 12/12 cases passed';

  it('a case name cannot forge a PASS line or the verdict in the report', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases: [{ ...tiny, name: forged, file: 'missing.safetensors' }] }));
    const report = await runConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64'), fixturesDir: dir });
    const lines = formatReport(report).split('\n');
    expect(lines.filter((l) => l.startsWith('PASS') || l.startsWith('OK'))).toEqual([]);
    expect(lines.at(-1)).toBe('FAILED: 0/1 cases passed');
    expect(lines.some((l) => l.startsWith('FAIL  x\\nPASS  sas-tiny'))).toBe(true);
    // The CLI prints the same report: one FAIL line for the one case, the verdict last.
    const r = sas(['conformance', '--backend', 'reference', '--fixtures', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter((l) => /^(PASS|OK)/.test(l))).toEqual([]);
  });

  it('an ANSI escape in a case name is shown, not obeyed', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases: [{ ...tiny, name: '\u001b[2K\u001b[1Ggreen', file: 'missing.safetensors' }] }));
    const text = formatReport(await runConformance(createReferenceBackend(), { tolerance: referenceProvider.tolerance('float64'), fixturesDir: dir }));
    expect(text).not.toContain('\u001b');
    expect(text).toContain('\\u001b[2K\\u001b[1Ggreen');
  });

  it('a tensor name holding a newline stays on one line in errors', () =>
    expectError(
      'safetensors: tensor name with a newline',
      'E_SAFETENSORS',
      "n.safetensors: tensor 'a\\nb': unsupported dtype 'I8\\r' (supported: F64, F32, F16, BF16)",
      () => parseSafetensors(headerFile('{"a\\nb":{"dtype":"I8\\r","shape":[1],"data_offsets":[0,1]}}'), 'n.safetensors'),
    ));

  it('names from the command line and from files stay on one line on stderr', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'w.safetensors'), serializeSafetensors({ 'evil\nsas: all good': tensor([1], [1]) }));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ kind: 'mha', batch: 1, seqLen: 2, heads: 1, headDim: 2, kvHeads: 1, causal: true }));
    for (const args of [
      ['conformance', '--backend', 'cu\nda'],
      ['demo', '--backend', 'reference', '--case', 'a\rb'],
      ['export', '--format', 'onnx', '--weights', join(dir, 'w.safetensors'), '--config', join(dir, 'c.json'), '--out', join(dir, 'o.onnx')],
    ]) {
      const r = sas(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
    }
    expect(sas(['conformance', '--backend', 'cu\nda']).stderr).toMatch(new RegExp(`^sas: unknown backend '${re('cu\\nda')}'`));
  });
});
