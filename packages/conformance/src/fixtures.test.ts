import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildLayer,
  createReferenceBackend,
  grad,
  withCotangentLoss,
  evaluateReference,
  initParams,
  layerParams,
  parseSafetensors,
  randomNormal,
  referenceProvider,
  serializeSafetensors,
  SasError,
  type LayerConfig,
  type Tensor,
} from '@sas/core';
import { bundledFixturesDir, loadCaseTensors, loadFixtureSet, runConformance } from '@sas/conformance';

const tolerance = referenceProvider.tolerance('float64');
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sas-fixtures-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A one-case fixture directory built from a bundled case, with the manifest entry and tensors edited. */
function editedCopy(caseName: string, editEntry: (e: Record<string, unknown>) => void, editTensors?: (t: Map<string, Tensor>) => void): string {
  const src = bundledFixturesDir();
  const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8'));
  const entry = manifest.cases.find((c: { name: string }) => c.name === caseName);
  editEntry(entry);
  const dir = tempDir();
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, cases: [entry] }));
  if (editTensors) {
    const contents = parseSafetensors(new Uint8Array(readFileSync(join(src, `${caseName}.safetensors`))));
    editTensors(contents.tensors);
    writeFileSync(join(dir, entry.file), serializeSafetensors(contents.tensors, { metadata: contents.metadata }));
  } else {
    copyFileSync(join(src, `${caseName}.safetensors`), join(dir, entry.file));
  }
  return dir;
}

describe('fixture loader', () => {
  it('reads the bundled manifest: 12 cases of four kinds', () => {
    const set = loadFixtureSet(bundledFixturesDir());
    expect(set.cases).toHaveLength(12);
    expect(new Set(set.cases.map((c) => c.config.kind))).toEqual(new Set(['sas', 'mha', 'gqa', 'mqa']));
    const tiny = loadCaseTensors(set.cases.find((c) => c.name === 'sas-tiny')!);
    expect(tiny.inputs.query.shape).toEqual([1, 4, 2, 4]);
    expect(Object.keys(tiny.expected).sort()).toEqual(['output', 'trace.attention', 'trace.key_sim', 'trace.query_sim', 'trace.value_sim']);
    expect(Object.keys(tiny.grads)).toContain('grad.input.query');
  });

  it('names the manifest when the directory has none', () => {
    const dir = tempDir();
    expect(() => loadFixtureSet(dir)).toThrow(SasError);
    expect(() => loadFixtureSet(dir)).toThrow(/manifest\.json: cannot read the fixture manifest/);
  });

  it('rejects a manifest that is not JSON', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), '{ nope');
    expect(() => loadFixtureSet(dir)).toThrow(/manifest\.json: not valid JSON/);
  });

  it('rejects an invalid configuration, naming the case and the field', () => {
    const dir = editedCopy('sas-tiny', (e) => (e.simHeads = 5));
    expect(() => loadFixtureSet(dir)).toThrow(/case 0 \('sas-tiny'\): config\.simHeads: expected a multiple of heads \(2\), got 5/);
  });

  it('reports a missing tensor with the file and tensor name', () => {
    const dir = editedCopy(
      'mha-small',
      () => {},
      (t) => t.delete('output_dense.bias'),
    );
    const [c] = loadFixtureSet(dir).cases;
    expect(() => loadCaseTensors(c)).toThrow(/mha-small\.safetensors: missing tensor 'output_dense\.bias'/);
  });

  it('reports a tensor whose shape disagrees with the config', () => {
    const dir = editedCopy('sas-tiny', (e) => (e.simHeadDim = 6));
    const [c] = loadFixtureSet(dir).cases;
    expect(() => loadCaseTensors(c)).toThrow(/sas-tiny\.safetensors: tensor 'sas_q\.2\.weight' has shape \[8,4\], expected \[6,4\]/);
  });

  it('reports a truncated safetensors file by name', () => {
    const dir = editedCopy('sas-tiny', () => {});
    const file = join(dir, 'sas-tiny.safetensors');
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    const [c] = loadFixtureSet(dir).cases;
    expect(() => loadCaseTensors(c)).toThrow(/sas-tiny\.safetensors: .*truncated/);
  });
});

describe('runConformance', () => {
  it('fails a case whose expected output was tampered with, and says which tensor', async () => {
    const dir = editedCopy(
      'mqa-small',
      () => {},
      (t) => {
        const out = t.get('output')!;
        const data = Float64Array.from(out.data);
        data[5] += 1e-6; // far above the 1e-9 tolerance
        t.set('output', { ...out, data });
      },
    );
    const report = await runConformance(createReferenceBackend(), { tolerance, fixturesDir: dir });
    expect(report.passed).toBe(false);
    const failing = report.cases[0].checks.filter((c) => !c.passed);
    expect(failing.map((c) => c.name)).toEqual(['output']);
    expect(failing[0].worstIndex).toBe(5);
  });

  it('fails a gradient that was tampered with only when gradients are checked', async () => {
    const dir = editedCopy(
      'gqa-small',
      () => {},
      (t) => {
        const g = t.get('grad.input.key')!;
        const data = Float64Array.from(g.data);
        data[0] *= 1.001;
        t.set('grad.input.key', { ...g, data });
      },
    );
    const backend = createReferenceBackend();
    expect((await runConformance(backend, { tolerance, fixturesDir: dir })).passed).toBe(true);
    const withGrads = await runConformance(backend, { tolerance, fixturesDir: dir, grads: true });
    expect(withGrads.passed).toBe(false);
    expect(withGrads.cases[0].checks.filter((c) => !c.passed).map((c) => c.name)).toEqual(['grad.input.key']);
  });

  it('refuses case names that match no case, naming them and the cases there are', async () => {
    const backend = createReferenceBackend();
    await expect(runConformance(backend, { tolerance, cases: ['no-such-case'] })).rejects.toThrow(
      new RegExp(`^cases: no case 'no-such-case' in ${bundledFixturesDir().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(cases: sas-tiny, `),
    );
    // One typo among good names still refuses: the misspelt case would silently go unchecked.
    await expect(runConformance(backend, { tolerance, cases: ['sas-tiny', 'sas-tinny'] })).rejects.toMatchObject({ code: 'E_INPUT' });
    await expect(runConformance(backend, { tolerance, cases: [] })).rejects.toThrow(/^cases: an empty list selects nothing to check/);
  });

  it('refuses a manifest that lists no cases', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ description: 'empty', cases: [] }));
    expect(() => loadFixtureSet(dir)).toThrow(/manifest\.json: lists no cases \(nothing to check\)$/);
  });

  it('counts gradients as checked only when one was compared; asking for them where no case has any does not pass', async () => {
    const backend = createReferenceBackend();
    const report = await runConformance(backend, { tolerance, grads: true, cases: ['sas-paper-head'] }); // carries no gradients
    expect(report.cases[0]).toMatchObject({ passed: true, gradsChecked: false });
    expect(report.passed).toBe(false);
    expect(report.problem).toBe('gradients were asked for, but no case carries any (nothing compared)');
    const tiny = await runConformance(backend, { tolerance, grads: true, cases: ['sas-tiny'] });
    expect(tiny.passed).toBe(true);
    expect(tiny.cases[0].gradsChecked).toBe(true);
    expect(tiny.cases[0].checks.filter((c) => c.name.startsWith('grad.'))).toHaveLength(25);
  });

  it('refuses a fixture gradient that matches no input or parameter of the layer', async () => {
    const dir = editedCopy(
      'mha-small',
      () => {},
      (t) => {
        for (const name of [...t.keys()].filter((n) => n.startsWith('grad.'))) {
          t.set(name.replace('grad.', 'grad.renamed.'), t.get(name)!);
          t.delete(name);
        }
      },
    );
    const [c] = loadFixtureSet(dir).cases;
    expect(() => loadCaseTensors(c)).toThrow(/mha-small\.safetensors: gradient 'grad\.renamed\.[\w.]+' matches no input or parameter of the mha layer$/);
    const report = await runConformance(createReferenceBackend(), { tolerance, fixturesDir: dir, grads: true });
    expect(report.passed).toBe(false);
    expect(report.cases[0].error).toMatch(/matches no input or parameter/);
  });

  it('refuses gradients without the cotangent they were computed with', () => {
    const dir = editedCopy(
      'gqa-small',
      () => {},
      (t) => t.delete('cotangent'),
    );
    const [c] = loadFixtureSet(dir).cases;
    expect(() => loadCaseTensors(c)).toThrow(/gqa-small\.safetensors: holds gradient 'grad\.[\w.]+' but no 'cotangent' to compute it with$/);
  });

  it('turns a backend crash into a case error instead of throwing', async () => {
    const crashing = {
      ...createReferenceBackend(),
      name: 'crashy',
      run: async () => {
        throw new Error('device lost');
      },
    };
    const report = await runConformance(crashing, { tolerance, cases: ['sas-tiny'] });
    expect(report.passed).toBe(false);
    expect(report.cases[0].error).toBe('device lost');
  });

  it('accepts a directory in the same format with shapes it has never seen', async () => {
    // Configurations outside the bundled set (T=1, H=1, D' < D, k=5, H' = 3H, bidirectional,
    // GQA with 3 groups). The expected numbers are the float64 reference's, so this checks
    // the loader and runner on new shapes, not the numbers themselves.
    const configs: [string, LayerConfig][] = [
      ['sas-t1', { kind: 'sas', batch: 1, seqLen: 1, heads: 1, headDim: 3, simHeads: 2, simHeadDim: 2, kernelSize: 5, causal: true }],
      ['sas-wide', { kind: 'sas', batch: 3, seqLen: 5, heads: 2, headDim: 3, simHeads: 6, simHeadDim: 2, kernelSize: 3, causal: false }],
      ['gqa-3', { kind: 'gqa', batch: 1, seqLen: 4, heads: 6, headDim: 2, kvHeads: 2, causal: true }],
    ];
    const dir = tempDir();
    const cases = [];
    for (const [name, config] of configs) {
      const params = initParams(config, 3, 'float64');
      const kv = config.kind === 'sas' ? config.heads : config.kvHeads;
      const inputs = {
        query: randomNormal([config.batch, config.seqLen, config.heads, config.headDim], 1, 'float64'),
        key: randomNormal([config.batch, config.seqLen, kv, config.headDim], 2, 'float64'),
        value: randomNormal([config.batch, config.seqLen, kv, config.headDim], 3, 'float64'),
      };
      const cotangent = randomNormal([config.batch, config.seqLen, config.heads * config.headDim], 4, 'float64');
      const wrt = ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)];
      const graph = grad(withCotangentLoss(buildLayer(config, { dtype: 'float64' }), 'output'), 'loss', { wrt });
      const out = await evaluateReference(graph, { ...inputs, ...params, cotangent });
      const tensors: Record<string, Tensor> = { ...params, cotangent };
      for (const [k, t] of Object.entries(out)) {
        if (k !== 'loss') tensors[['grad.query', 'grad.key', 'grad.value'].includes(k) ? k.replace('grad.', 'grad.input.') : k] = t;
      }
      for (const [k, t] of Object.entries(inputs)) tensors[`input.${k}`] = t;
      writeFileSync(join(dir, `${name}.safetensors`), serializeSafetensors(tensors));
      cases.push({ name, file: `${name}.safetensors`, ...config });
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ description: 'generated', dtype: 'F64', cases }));
    const report = await runConformance(createReferenceBackend(), { tolerance, fixturesDir: dir, grads: true });
    expect(report.cases.map((c) => c.name)).toEqual(['sas-t1', 'sas-wide', 'gqa-3']);
    expect(report.cases.every((c) => c.passed && c.gradsChecked)).toBe(true);
    expect(layerParams(configs[0][1]).length).toBe(22);
  });
});
