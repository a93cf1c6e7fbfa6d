// Hostile input, class 3: names that are Object.prototype members
// (`constructor`, `toString`, `hasOwnProperty`, `__proto__`) behave as ordinary
// names or are refused, wherever names are looked up: CLI flags and values,
// feeds, outputs, tensor names, manifest fields. `__proto__` alone is refused
// as a graph name (a plain object cannot hold it as a key); the others work.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  add,
  createReferenceBackend,
  evaluateReference,
  exp,
  graphFromJSON,
  graphToJSON,
  grad,
  GraphBuilder,
  ownValue,
  parseSafetensors,
  referenceProvider,
  serializeSafetensors,
  tensor,
  type Backend,
} from '@sas/core';
import { discoverTargets, workspaceCandidates } from '../fuzz/targets.js';
import { bundledFixturesDir, loadFixtureSet, runConformance } from '../index.js';
import { catalogue, sas } from './record.js';

const { expectError, record } = catalogue('names');
const targets = await discoverTargets(workspaceCandidates());
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** y = exp(constructor) + toString, output also under 'hasOwnProperty': every name an Object.prototype member. */
function prototypeNamedGraph() {
  const b = new GraphBuilder('float32');
  const y = add(exp(b.input('constructor', [2])), b.param('toString', [2]));
  b.output('valueOf', y);
  b.output('hasOwnProperty', exp(y));
  return b.build();
}
const feeds = { constructor: tensor([0, 1], [2], 'float32'), toString: tensor([1, 2], [2], 'float32') };

describe('catalogue: Object.prototype names — feeds and outputs', () => {
  it('run as ordinary names on the reference, and gradients carry them', async () => {
    const out = await evaluateReference(prototypeNamedGraph(), feeds);
    expect(Array.from(ownValue(out, 'valueOf')!.data)).toEqual([2, 2 + Math.E].map(Math.fround));
    const g = grad(
      (() => {
        const b = new GraphBuilder('float64');
        b.output('toString', exp(b.param('constructor', [])));
        return b.build();
      })(),
      'toString',
    );
    expect(Object.keys(g.outputs)).toEqual(['toString', 'grad.constructor']);
  });

  it("a missing feed named 'constructor' is missing, not Object", () =>
    expectError("feed named 'constructor' missing", 'E_INPUT', "feed 'constructor' is missing: expected input of shape [2]", () =>
      evaluateReference(prototypeNamedGraph(), { toString: feeds.toString }),
    ));

  it("an output named 'toString' that the graph lacks is unknown, not Object.prototype.toString", () =>
    expectError('unknown output toString', 'E_GRAPH', "unknown output 'toString' (graph outputs: valueOf, hasOwnProperty)", () =>
      evaluateReference(prototypeNamedGraph(), feeds, { outputs: ['toString'] }),
    ));

  it("'__proto__' is refused as an input, a param and an output name, and in graph JSON", async () => {
    const message = "the name '__proto__' cannot be used (a JavaScript object cannot hold it as an ordinary key)";
    await expectError('__proto__ as an input name', 'E_GRAPH', `Input: ${message}`, () => new GraphBuilder().input('__proto__', [1]));
    await expectError('__proto__ as an output name', 'E_GRAPH', `output: ${message}`, () => {
      const b = new GraphBuilder();
      b.output('__proto__', b.input('x', [1]));
    });
    const json = JSON.stringify(graphToJSON(prototypeNamedGraph())).replace('"hasOwnProperty"', '"__proto__"');
    await expectError('__proto__ as an output in graph JSON', 'E_GRAPH', `g.json: graph output: ${message}`, () => graphFromJSON(json, 'g.json'));
  });

  for (const t of targets) {
    const label = `${t.name} (${t.mode})`;
    if (!t.available) {
      it.skip(`${label}: prototype-named feeds and outputs — skipped: ${t.reason}`, () => {});
      continue;
    }
    it(`${label}: feeds named 'constructor' and 'toString', outputs 'valueOf' and 'hasOwnProperty'`, async () => {
      const backend: Backend = await t.provider.create({ mode: t.mode });
      try {
        const graph = backend.dtypes.includes('float32')
          ? prototypeNamedGraph()
          : graphFromJSON({ ...graphToJSON(prototypeNamedGraph()), dtype: 'float64' }, 'g');
        const out = await backend.run(graph, feeds, { outputs: ['hasOwnProperty'] });
        expect(Object.keys(out)).toEqual(['hasOwnProperty']);
        const expected = [2, 2 + Math.E].map(Math.exp);
        Array.from(ownValue(out, 'hasOwnProperty')!.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
        await expectError(`missing 'constructor' feed (${label})`, 'E_INPUT', "feed 'constructor' is missing: expected input of shape [2]", () =>
          backend.run(graph, { toString: feeds.toString }),
        );
      } finally {
        await backend.dispose();
      }
    });
  }
});

describe('catalogue: Object.prototype names — tensor names in safetensors files', () => {
  it('round-trip as ordinary tensors, __metadata__ keys included', () => {
    const bytes = serializeSafetensors({ __proto__: tensor([1], [1]), constructor: tensor([2], [1]), toString: tensor([3], [1]) } as never, {
      metadata: { constructor: 'c', toString: 't' },
    });
    const { tensors, metadata } = parseSafetensors(bytes, 'p.safetensors');
    expect(Object.fromEntries([...tensors].map(([k, t]) => [k, t.data[0]]))).toEqual({ constructor: 2, toString: 3 });
    expect(metadata).toEqual({ constructor: 'c', toString: 't' });
  });

  it("a header entry named '__proto__' is read as a tensor and pollutes nothing", () => {
    const header = new TextEncoder().encode(
      '{"__proto__":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"toString":{"dtype":"F64","shape":[],"data_offsets":[8,16]}}',
    );
    const bytes = new Uint8Array(8 + header.length + 16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(header, 8);
    new DataView(bytes.buffer).setFloat64(8 + header.length, 7, true);
    const { tensors } = parseSafetensors(bytes, 'p.safetensors');
    expect([...tensors.keys()]).toEqual(['__proto__', 'toString']);
    expect(tensors.get('__proto__')!.data[0]).toBe(7);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });
});

describe('catalogue: Object.prototype names — manifest fields and case names', () => {
  const manifest = JSON.parse(readFileSync(join(bundledFixturesDir(), 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  const tiny = manifest.cases.find((c) => c.name === 'sas-tiny')!;
  const fixtureDir = (cases: unknown[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-names-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ cases }));
    writeFileSync(join(dir, 'sas-tiny.safetensors'), readFileSync(join(bundledFixturesDir(), 'sas-tiny.safetensors')));
    return dir;
  };

  it("cases named 'constructor', 'toString' and '__proto__' run and are selected by name", async () => {
    const dir = fixtureDir(['constructor', 'toString', '__proto__'].map((name) => ({ ...tiny, name })));
    const tolerance = referenceProvider.tolerance('float64');
    const report = await runConformance(createReferenceBackend(), { tolerance, fixturesDir: dir, cases: ['toString', '__proto__'] });
    expect(report.cases.map((c) => [c.name, c.passed])).toEqual([
      ['toString', true],
      ['__proto__', true],
    ]);
    await expectError('--cases naming an Object.prototype member the manifest lacks', 'E_INPUT', /^cases: no case 'hasOwnProperty' in /, () =>
      runConformance(createReferenceBackend(), { tolerance, fixturesDir: dir, cases: ['hasOwnProperty'] }),
    );
  });

  it('a case whose fields hide under "__proto__" is refused, and Object.prototype stays clean', async () => {
    const { name, file, ...fields } = tiny;
    const dir = fixtureDir([{ name, file, ['__proto__']: fields }]); // a computed key: an own property, as JSON.parse makes it
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toContain('"__proto__":{"kind":"sas"');
    await expectError(
      'manifest fields under __proto__',
      'E_FIXTURE',
      /case 0 \('sas-tiny'\): config\.kind: expected one of sas, mha, gqa, mqa, got undefined$/,
      () => loadFixtureSet(dir),
    );
    expect(({} as Record<string, unknown>).kind).toBeUndefined();
  });
});

describe('catalogue: Object.prototype names — CLI flags and values', () => {
  it('flags named like Object.prototype members are unknown flags', () => {
    for (const flag of ['--constructor', '--toString=1', '--__proto__', '--hasOwnProperty']) {
      const r = sas(['bench', flag]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr).toBe(`sas: bench: unknown flag ${flag.split('=')[0]} (see 'sas bench --help')\n`);
    }
    record({
      code: 'E_INPUT',
      situation: 'CLI: a flag named like an Object.prototype member',
      message: "sas: bench: unknown flag --constructor (see 'sas bench --help')",
    });
  });

  it('values naming Object.prototype members: backend, mode, case, format', () => {
    for (const [args, line] of [
      [['conformance', '--backend', 'constructor'], "sas: unknown backend 'constructor' (known: reference, ndarray, tfjs, gpujs, onnx)"],
      [['conformance', '--backend', '__proto__'], "sas: unknown backend '__proto__' (known: reference, ndarray, tfjs, gpujs, onnx)"],
      [['conformance', '--backend', 'reference', '--mode', 'toString'], "sas: backend 'reference' has no mode 'toString' (modes: float64)"],
      [['demo', '--backend', 'reference', '--case', 'constructor'], /^sas: demo: no case 'constructor' in \S+ \(cases: sas-tiny, /],
      [
        ['export', '--format', 'toString', '--fixture', 'sas-tiny', '--out', '/tmp/x.onnx'],
        "sas: export: --format must be one of onnx, graph, safetensors, got 'toString'",
      ],
    ] as const) {
      const r = sas(args);
      expect(r.code, args.join(' ')).toBe(2);
      if (typeof line === 'string') expect(r.stderr).toBe(`${line}\n`);
      else expect(r.stderr).toMatch(line);
    }
  });
});
