import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateReference, loadAuthorsWeights, saveAuthorsWeights, type Tensor } from '@sas/core';
import { bundledFixturesDir, compareTensors, loadCaseTensors, loadFixtureSet } from '@sas/conformance';
import { parseGraphBundle } from '@sas/onnx';

// The real executable, as users run it (the root test script builds it first).
const bin = resolve(__dirname, '../dist/main.js');

function sas(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sas-export-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const fixture = (name: string) => loadFixtureSet(bundledFixturesDir()).cases.find((c) => c.name === name)!;

/**
 * Runs an ONNX file in ONNX Runtime on the case's inputs. Double models stop at
 * the 'basic' optimisation level: the 'extended' MatMul-scale fusion stores the
 * attention scale as a float32 attribute (docs/onnx.md).
 */
async function runOnnxFile(path: string, inputs: Record<string, Tensor>, dtype: 'float32' | 'float64') {
  const session = await ort.InferenceSession.create(path, { graphOptimizationLevel: dtype === 'float64' ? 'basic' : 'all' });
  try {
    const feeds = Object.fromEntries(
      Object.entries(inputs).map(([k, t]) => [
        k,
        new ort.Tensor(dtype, dtype === 'float32' ? Float32Array.from(t.data) : Float64Array.from(t.data), [...t.shape]),
      ]),
    );
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { dtype, shape: [...v.dims], data: v.data as Float32Array } as Tensor]));
  } finally {
    await session.release();
  }
}

describe('sas export', () => {
  it('is listed in the help', () => {
    expect(sas('--help').stdout).toMatch(/export .*ONNX/);
    expect(sas('export', '--help').stdout).toMatch(/--format onnx\|graph\|safetensors/);
  });

  it("--format onnx --fixture: ONNX Runtime runs the file and reproduces the authors' output (only 'output' unless --outputs)", async () => {
    const dir = tempDir();
    const out = join(dir, 'sas.onnx');
    const r = sas('export', '--format', 'onnx', '--fixture', 'sas-small', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*sas\.onnx \(\d+ bytes\)/);
    const tensors = loadCaseTensors(fixture('sas-small'));
    const got = await runOnnxFile(out, tensors.inputs, 'float32');
    expect(Object.keys(got)).toEqual(['output']);
    expect(compareTensors('output', got.output, tensors.expected.output, 1e-4, 1e-4).passed).toBe(true);

    // Asked for, the traces come too, each matching the authors'.
    const withTraces = join(dir, 'traces.onnx');
    const traces = Object.keys(tensors.expected).filter((n) => n.startsWith('trace.'));
    expect(traces.length).toBeGreaterThan(0);
    expect(sas('export', '--format', 'onnx', '--fixture', 'sas-small', '--out', withTraces, '--outputs', ['output', ...traces].join(',')).code).toBe(0);
    const all = await runOnnxFile(withTraces, tensors.inputs, 'float32');
    expect(Object.keys(all).sort()).toEqual(['output', ...traces].sort());
    for (const [name, expected] of Object.entries(tensors.expected)) expect(compareTensors(name, all[name], expected, 1e-4, 1e-4).passed, name).toBe(true);
  });

  it('--dtype float64 writes a double model that matches within 1e-9', async () => {
    const dir = tempDir();
    const out = join(dir, 'gqa.onnx');
    expect(sas('export', '--format', 'onnx', '--fixture', 'gqa-small', '--dtype', 'float64', '--out', out).code).toBe(0);
    const tensors = loadCaseTensors(fixture('gqa-small'));
    const got = await runOnnxFile(out, tensors.inputs, 'float64');
    expect(got.output.data).toBeInstanceOf(Float64Array);
    expect(compareTensors('output', got.output, tensors.expected.output, 1e-9, 1e-9).passed).toBe(true);
  });

  it("--format graph writes the JSON graph and its weights beside it; loading them reproduces the authors' output", async () => {
    const dir = tempDir();
    const out = join(dir, 'layer.json');
    const r = sas('export', '--format', 'graph', '--fixture', 'sas-tiny', '--dtype', 'float64', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files.map((f: { path: string }) => f.path)).toEqual([join(dir, 'layer.safetensors'), out]);
    const { graph, weights } = parseGraphBundle(readFileSync(out, 'utf8'), new Uint8Array(readFileSync(join(dir, 'layer.safetensors'))), out);
    const tensors = loadCaseTensors(fixture('sas-tiny'));
    // float64 weights are stored as F64: the fixture's bits, unchanged.
    for (const [name, t] of Object.entries(tensors.params)) expect(Array.from(weights[name].data), name).toEqual(Array.from(t.data));
    const result = await evaluateReference(graph, { ...tensors.inputs, ...weights });
    expect(compareTensors('output', result.output, tensors.expected.output, 1e-9, 1e-9).passed).toBe(true);
  });

  it("--weights + --config: authors' safetensors in, ONNX out; and --format safetensors writes what their loader reads", async () => {
    const dir = tempDir();
    const c = fixture('sas-odd');
    const tensors = loadCaseTensors(c);
    writeFileSync(join(dir, 'w.safetensors'), saveAuthorsWeights(tensors.params, c.config));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c.config));
    const r = sas('export', '--format', 'onnx', '--weights', join(dir, 'w.safetensors'), '--config', join(dir, 'config.json'), '--out', join(dir, 'm.onnx'));
    expect(r.code, r.stderr).toBe(0);
    const got = await runOnnxFile(join(dir, 'm.onnx'), tensors.inputs, 'float32');
    expect(compareTensors('output', got.output, tensors.expected.output, 1e-4, 1e-4).passed).toBe(true);

    expect(sas('export', '--format', 'safetensors', '--fixture', 'sas-odd', '--dtype', 'float64', '--out', join(dir, 'authors.safetensors')).code).toBe(0);
    const back = loadAuthorsWeights(new Uint8Array(readFileSync(join(dir, 'authors.safetensors'))), c.config);
    for (const [name, t] of Object.entries(tensors.params)) expect(Array.from(back[name].data), name).toEqual(Array.from(t.data));
  });

  it('never overwrites without --force (one-line error, non-zero exit, file untouched), overwrites with it, and leaves no temporary files', () => {
    const dir = tempDir();
    const out = join(dir, 'model.onnx');
    writeFileSync(out, 'keep me');
    const r = sas('export', '--format', 'onnx', '--fixture', 'sas-tiny', '--out', out);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`sas: ${out}: file exists (use --force to overwrite)\n`);
    expect(readFileSync(out, 'utf8')).toBe('keep me');

    // graph: the weights file existing is enough to refuse, and nothing is written.
    writeFileSync(join(dir, 'g.safetensors'), 'old');
    const g = sas('export', '--format', 'graph', '--fixture', 'sas-tiny', '--out', join(dir, 'g.json'));
    expect(g.code).not.toBe(0);
    expect(g.stderr).toBe(`sas: ${join(dir, 'g.safetensors')}: file exists (use --force to overwrite)\n`);
    expect(readdirSync(dir).sort()).toEqual(['g.safetensors', 'model.onnx']);

    expect(sas('export', '--format', 'onnx', '--fixture', 'sas-tiny', '--out', out, '--force').code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(1000);
    expect(sas('export', '--format', 'graph', '--fixture', 'sas-tiny', '--out', join(dir, 'g.json'), '--force').code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['g.json', 'g.safetensors', 'model.onnx']);
  });

  it('rejects bad usage with one line naming the problem', () => {
    const dir = tempDir();
    const out = join(dir, 'x.onnx');
    for (const [args, message] of [
      [['--fixture', 'sas-tiny', '--out', out], /export: --format is required/],
      [['--format', 'tflite', '--fixture', 'sas-tiny', '--out', out], /--format must be one of onnx, graph, safetensors, got 'tflite'/],
      [['--format', 'onnx', '--fixture', 'sas-tiny'], /--out FILE is required/],
      [['--format', 'onnx', '--out', out], /say what to export/],
      [['--format', 'onnx', '--fixture', 'nope', '--out', out], /no case 'nope'/],
      [['--format', 'onnx', '--fixture', 'sas-tiny', '--weights', 'w.safetensors', '--out', out], /either --fixture CASE or --weights/],
      [['--format', 'onnx', '--fixture', 'sas-tiny', '--dtype', 'float16', '--out', out], /--dtype must be float32 or float64/],
      [['--format', 'onnx', '--fixture', 'sas-tiny', '--out', join(dir, 'missing', 'x.onnx')], /directory .*missing does not exist/],
    ] as const) {
      const r = sas('export', ...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('sas conformance --backend onnx', () => {
  it('passes every bundled case, with gradients', () => {
    const r = sas('conformance', '--backend', 'onnx', '--grads', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.backend).toBe('onnx');
    expect(report.passed).toBe(true);
    expect(report.cases.length).toBe(loadFixtureSet(bundledFixturesDir()).cases.length);
  });
});
