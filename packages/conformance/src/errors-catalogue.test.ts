// The catalogue of bad input (docs/reliability.md): one test per entry, each
// asserting the stable code and the one-line message. Hostile input, class by
// class (paths, sizes, names, float32 overflow, JSON and reports, writes, CLI
// numbers), is in catalogue/*.test.ts. Entries that depend on
// a backend run on every backend found at run time; an unavailable one is a
// skipped test with the reason. Malformed safetensors variants already tested
// in packages/core/src/io/safetensors.test.ts are referenced in the doc, not
// repeated; the realistic variants they miss are here.
//
//   SAS_CATALOGUE_OUT=/tmp/catalogue.json pnpm exec vitest run --project conformance errors-catalogue
// writes every (code, situation, message) the tests saw, for the doc.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  buildModel,
  decodeCheckpoint,
  encodeCheckpoint,
  initModel,
  type ModelConfig,
  createKernelBackend,
  createReferenceBackend,
  DEFAULT_MAX_ELEMENTS,
  evaluateReference,
  exp,
  graphFromJSON,
  graphToJSON,
  GraphBuilder,
  initParams,
  loadAuthorsWeights,
  matMul,
  mapKernels,
  REFERENCE_KERNELS,
  randomNormal,
  reduceMax,
  reduceSum,
  saveAuthorsWeights,
  serializeSafetensors,
  softmax,
  tensor,
  validateConfig,
  type Backend,
  type Feeds,
  type LayerConfig,
  type GraphContext,
  type RefTensor,
  type Tensor,
  leafName,
} from '@sas/core';
import { bundledFixturesDir, loadFixtureSet } from './fixtures.js';
import { discoverTargets, workspaceCandidates } from './fuzz/targets.js';
import { catalogue, CLI, REPO_ROOT, sas } from './catalogue/record.js';

const { expectError, seen } = catalogue();

const SAS: LayerConfig = { kind: 'sas', batch: 1, seqLen: 3, heads: 2, headDim: 2, simHeads: 4, simHeadDim: 3, kernelSize: 3, causal: true };
const GQA: LayerConfig = { kind: 'gqa', batch: 1, seqLen: 2, heads: 4, headDim: 2, kvHeads: 2, causal: true };

/** Inputs and weights for a layer config, in `dtype`. */
function feedsFor(config: LayerConfig, dtype: 'float32' | 'float64' = 'float64'): Record<string, Tensor> {
  const graph = buildLayer(config, { dtype });
  const feeds: Record<string, Tensor> = { ...initParams(config, 2, dtype) };
  graph.nodes.filter((n) => n.op === 'Input').forEach((n, i) => (feeds[leafName(n)] = randomNormal(n.shape, 10 + i, dtype)));
  return feeds;
}

const withElement = (t: Tensor, index: number, value: number): Tensor => {
  const data = t.data.slice();
  data[index] = value;
  return { ...t, data };
};

describe('catalogue: invalid layer configurations (E_CONFIG)', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', null, 'config: expected an object, got null'],
    ['unknown kind', { ...SAS, kind: 'linear' }, 'config.kind: expected one of sas, mha, gqa, mqa, got "linear"'],
    ['zero size (T = 0)', { ...SAS, seqLen: 0 }, 'config.seqLen: expected a positive integer, got 0'],
    ['negative size', { ...SAS, batch: -2 }, 'config.batch: expected a positive integer, got -2'],
    ['fractional size', { ...SAS, headDim: 1.5 }, 'config.headDim: expected a positive integer, got 1.5'],
    ['size given as a string', { ...SAS, heads: '2' }, 'config.heads: expected a positive integer, got "2"'],
    ['missing size', { ...SAS, simHeadDim: undefined }, 'config.simHeadDim: expected a positive integer, got undefined'],
    ["H' not a multiple of H", { ...SAS, simHeads: 5 }, 'config.simHeads: expected a multiple of heads (2), got 5'],
    ['even kernel', { ...SAS, kernelSize: 4 }, 'config.kernelSize: expected an odd size (an even kernel changes the feature length in the reference), got 4'],
    ['non-positive kernel', { ...SAS, kernelSize: 0 }, 'config.kernelSize: expected a positive integer, got 0'],
    ['kvHeads not dividing heads', { ...GQA, kvHeads: 3 }, 'config.kvHeads: expected a divisor of heads (4), got 3'],
    ['MHA with kvHeads ≠ heads', { ...GQA, kind: 'mha' }, 'config.kvHeads: MHA has kvHeads = heads (4), got 2'],
    ['MQA with kvHeads ≠ 1', { ...GQA, kind: 'mqa' }, 'config.kvHeads: MQA has kvHeads = 1, got 2'],
    ['causal not a boolean', { ...SAS, causal: 'yes' }, 'config.causal: expected a boolean, got "yes"'],
  ];
  for (const [situation, config, message] of cases) {
    it(situation, async () => {
      await expectError(`config: ${situation}`, 'E_CONFIG', message, () => validateConfig(config));
      await expectError(`config: ${situation}`, 'E_CONFIG', message, () => buildLayer(config as LayerConfig));
    });
  }

  it('non-finite size (NaN, ±Infinity)', async () => {
    // Printed as themselves, not as JSON's null.
    await expectError('config: size NaN', 'E_CONFIG', 'config.seqLen: expected a positive integer, got NaN', () => validateConfig({ ...SAS, seqLen: NaN }));
    await expectError('config: size Infinity', 'E_CONFIG', 'config.headDim: expected a positive integer, got Infinity', () =>
      validateConfig({ ...SAS, headDim: Infinity }),
    );
    await expectError('config: size -Infinity', 'E_CONFIG', 'config.batch: expected a positive integer, got -Infinity', () =>
      buildLayer({ ...SAS, batch: -Infinity }),
    );
  });
});

describe('catalogue: inputs of the wrong rank, shape or dtype', () => {
  const graph = buildLayer(SAS, { dtype: 'float64' });
  const feeds = feedsFor(SAS);
  const run = (patch: Record<string, unknown>, omit?: string) => {
    const f: Record<string, unknown> = { ...feeds, ...patch };
    if (omit) delete f[omit];
    return evaluateReference(graph, f as unknown as Feeds);
  };

  it('wrong rank', () =>
    expectError('input of the wrong rank', 'E_SHAPE', "feed 'query': expected shape [1,3,2,2], got [3,2,2]", () =>
      run({ query: randomNormal([3, 2, 2], 1, 'float64') }),
    ));
  it('wrong shape', () =>
    expectError('input of the wrong shape', 'E_SHAPE', "feed 'key': expected shape [1,3,2,2], got [1,3,2,3]", () =>
      run({ key: randomNormal([1, 3, 2, 3], 1, 'float64') }),
    ));
  it('data that does not fill the shape', () =>
    expectError('data length ≠ shape size', 'E_SHAPE', "feed 'value': 11 values do not fill shape [1,3,2,2]", () =>
      run({ value: { dtype: 'float64', shape: [1, 3, 2, 2], data: new Float64Array(11) } }),
    ));
  it('data of a non-float type', () =>
    expectError('integer or plain-array data', 'E_INPUT', "feed 'query': expected a tensor {shape, data: Float32Array|Float64Array}", () =>
      run({ query: { dtype: 'float64', shape: [1, 3, 2, 2], data: new Int32Array(12) } }),
    ));
  it('an unknown dtype label', () =>
    expectError('unknown dtype label', 'E_DTYPE', `feed 'query': dtype must be 'float32' or 'float64', got "int8"`, () =>
      run({ query: { ...feeds.query, dtype: 'int8' } }),
    ));
  it('a dtype label that contradicts the data', () =>
    expectError('dtype label contradicts the data', 'E_DTYPE', "feed 'query': dtype says 'float32' but data is a Float64Array", () =>
      run({ query: { ...feeds.query, dtype: 'float32' } }),
    ));
  it('a weight of the wrong shape', () =>
    expectError('weight of the wrong shape', 'E_SHAPE', "feed 'sas_q.0.weight': expected shape [4,2,3], got [4,2,1]", () =>
      run({ 'sas_q.0.weight': randomNormal([4, 2, 1], 1, 'float64') }),
    ));
  it('a missing input', () => expectError('missing input', 'E_INPUT', "feed 'value' is missing: expected input of shape [1,3,2,2]", () => run({}, 'value')));
  it('a missing weight', () =>
    expectError('missing weight', 'E_INPUT', "feed 'output_dense.bias' is missing: expected param of shape [4]", () => run({}, 'output_dense.bias')));
  it('a misspelt feed name', () =>
    expectError('unknown feed name', 'E_INPUT', "feed 'querry': the graph has no input or param of that name", () => run({ querry: feeds.query })));
  it('an unsupported graph dtype', () =>
    expectError(
      'graph dtype not float32/float64',
      'E_DTYPE',
      "GraphBuilder: dtype must be 'float32' or 'float64', got float16",
      () => new GraphBuilder('float16' as 'float32'),
    ));
  it('a graph dtype the backend does not run', () => {
    const f32Only = createKernelBackend<Tensor, void>({
      name: 'f32-only',
      mode: 'cpu',
      dtypes: ['float32'],
      // Never reached: the dtype is refused first.
      kernels: mapKernels<RefTensor, GraphContext, Tensor, void>(REFERENCE_KERNELS, () => () => tensor([0], [1])),
      context: () => undefined,
      upload: (t) => t,
      download: (h) => h,
      release: () => {},
    });
    return expectError('graph dtype the backend does not run', 'E_DTYPE', "backend 'f32-only' (cpu) runs float32 graphs, got a float64 graph", () =>
      f32Only.run(graph, feeds),
    );
  });
});

describe('catalogue: NaN and ±Inf (refused by default, allowed with nonFinite: allow)', () => {
  const graph = buildLayer(SAS, { dtype: 'float64' });
  const feeds = feedsFor(SAS);
  const nonFinite = "(non-finite values are refused; pass nonFinite: 'allow' to run anyway)";
  it('NaN in an input', () =>
    expectError('NaN in an input', 'E_INPUT', `feed 'query': element 5 is NaN ${nonFinite}`, () =>
      evaluateReference(graph, { ...feeds, query: withElement(feeds.query, 5, NaN) }),
    ));
  it('+Inf in a weight', () =>
    expectError('+Inf in a weight', 'E_INPUT', `feed 'sas_k.2.weight': element 0 is Infinity ${nonFinite}`, () =>
      evaluateReference(graph, { ...feeds, 'sas_k.2.weight': withElement(feeds['sas_k.2.weight'], 0, Infinity) }),
    ));
  it('-Inf in a weight read from a safetensors file', () => {
    const weights = loadAuthorsWeights(
      saveAuthorsWeights({ ...initParams(SAS, 2, 'float64'), 'output_dense.bias': tensor([0, -Infinity, 0, 0], [4]) }, SAS),
      SAS,
      'w.safetensors',
    );
    return expectError('-Inf in a weight file', 'E_INPUT', `feed 'output_dense.bias': element 1 is -Infinity ${nonFinite}`, () =>
      evaluateReference(graph, { ...feeds, ...weights }),
    );
  });
  it('runs anyway with nonFinite: allow, and the NaN reaches the output', async () => {
    const out = await evaluateReference(graph, { ...feeds, query: withElement(feeds.query, 0, NaN) }, { nonFinite: 'allow' });
    expect(Array.from(out.output.data).some(Number.isNaN)).toBe(true);
  });
});

describe('catalogue: empty tensors', () => {
  it('a layer with a zero size is a config error (layers need positive sizes)', () =>
    expectError('layer with a zero size', 'E_CONFIG', 'config.heads: expected a positive integer, got 0', () => buildLayer({ ...SAS, heads: 0 })));
  it('a zero-size input to a layer is a shape error', () =>
    expectError('zero-size input to a layer', 'E_SHAPE', "feed 'query': expected shape [1,3,2,2], got [0,3,2,2]", () =>
      evaluateReference(buildLayer(SAS, { dtype: 'float64' }), { ...feedsFor(SAS), query: tensor([], [0, 3, 2, 2]) }),
    ));
  it('ops on zero-size tensors run: sums are 0, maxima -Infinity, products empty or 0 (every backend: fuzz regressions)', async () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [0, 3]);
    b.output('sum', reduceSum(exp(x), [0]));
    b.output('max', reduceMax(x, [0]));
    b.output('inner0', matMul(b.input('a', [2, 0]), b.input('c', [0, 2])));
    b.output('softmax', softmax(x));
    const out = await evaluateReference(b.build(), { x: tensor([], [0, 3]), a: tensor([], [2, 0]), c: tensor([], [0, 2]) });
    expect(Array.from(out.sum.data)).toEqual([0, 0, 0]);
    expect(Array.from(out.max.data)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(Array.from(out.inner0.data)).toEqual([0, 0, 0, 0]);
    expect(out.softmax.shape).toEqual([0, 3]);
  });
});

describe('catalogue: a sequence longer than a backend can hold', () => {
  it('is refused before anything is uploaded or computed, naming the node, its shape and the limit', async () => {
    let uploads = 0;
    let kernels = 0;
    const tiny = createKernelBackend<Tensor, void>({
      name: 'tiny',
      mode: 'cpu',
      dtypes: ['float64'],
      maxElements: 100,
      kernels: mapKernels<RefTensor, GraphContext, Tensor, void>(REFERENCE_KERNELS, () => () => (kernels++, tensor([0], [1]))),
      context: () => undefined,
      upload: (t) => (uploads++, t),
      download: (h) => h,
      release: () => {},
    });
    const b = new GraphBuilder('float64');
    b.output('y', exp(b.input('x', [20, 20])));
    await expectError(
      'tensor over a backend limit',
      'E_BACKEND',
      "backend 'tiny' (cpu): node 0 (Input 'x') of shape [20,20] has 400 elements, more than the 100 one tensor may hold here (refused before allocating; use a smaller seqLen or batch)",
      () => tiny.run(b.build(), { x: randomNormal([20, 20], 1, 'float64') }),
    );
    expect({ uploads, kernels }).toEqual({ uploads: 0, kernels: 0 });
  });

  it(`T = 50000 on the reference: the T×T scores exceed the default ${DEFAULT_MAX_ELEMENTS} elements`, () => {
    const long: LayerConfig = { kind: 'mha', batch: 1, seqLen: 50_000, heads: 1, headDim: 1, kvHeads: 1, causal: true };
    return expectError(
      'T too long for the backend',
      'E_BACKEND',
      /^backend 'reference' \(float64\): node \d+ \(MatMul\) of shape \[[\d,]*50000,50000\] has 2500000000 elements, more than the 2147483647 one tensor may hold here/,
      () => createReferenceBackend().run(buildLayer(long, { dtype: 'float64' }), feedsFor(long)),
    );
  });
});

describe('catalogue: malformed safetensors (beyond packages/core/src/io/safetensors.test.ts)', () => {
  const fixture = new Uint8Array(readFileSync(join(bundledFixturesDir(), 'sas-tiny.safetensors')));
  const headerEnd = 8 + Number(new DataView(fixture.buffer).getBigUint64(0, true));

  it('a real file cut off in its data', () =>
    expectError(
      'file truncated in its data',
      'E_SAFETENSORS',
      /^sas-tiny\.safetensors: tensor '.+': data_offsets \[\d+,\d+\] run past the \d+-byte data buffer \(truncated file\?\)$/,
      () => loadAuthorsWeights(fixture.subarray(0, headerEnd + 100), SAS, 'sas-tiny.safetensors'),
    ));
  it('a real file cut off in its header', () =>
    expectError(
      'file truncated in its header',
      'E_SAFETENSORS',
      `sas-tiny.safetensors: header claims ${headerEnd - 8} bytes but the file has only 92 after the 8-byte length`,
      () => loadAuthorsWeights(fixture.subarray(0, 100), SAS, 'sas-tiny.safetensors'),
    ));
  it("a weight file missing one of the layer's tensors", () => {
    const all = initParams(SAS, 1, 'float64');
    const { 'sas_v.1.process.bias': _dropped, ...rest } = all;
    return expectError('weight file missing a tensor', 'E_WEIGHTS', "w.safetensors: missing tensor 'sas_v.1.process.bias'", () =>
      loadAuthorsWeights(serializeSafetensors(rest), SAS, 'w.safetensors'),
    );
  });
  it('a weight file whose tensor disagrees with the config', () =>
    expectError('weight of the wrong shape in a file', 'E_WEIGHTS', "w.safetensors: tensor 'sas_q.0.weight' has shape [4,2,3], expected [8,2,3]", () =>
      loadAuthorsWeights(serializeSafetensors(initParams(SAS, 1, 'float64')), { ...SAS, simHeads: 8 } as LayerConfig, 'w.safetensors'),
    ));
});

describe('catalogue: graph JSON', () => {
  const b = new GraphBuilder('float32');
  b.output('y', exp(b.input('x', [3])));
  const json = graphToJSON(b.build());
  it('an unknown version', () =>
    expectError('graph JSON of an unknown version', 'E_GRAPH', 'g.json: unsupported sas-graph version 4 (this library reads versions 1, 2 and 3)', () =>
      graphFromJSON({ ...json, version: 4 }, 'g.json'),
    ));
  it('an unknown op', () =>
    expectError('graph JSON with an unknown op', 'E_GRAPH', "g.json: graph node 1 (Gelu): unknown op 'Gelu'", () =>
      graphFromJSON({ ...json, nodes: [json.nodes[0], { ...json.nodes[1], op: 'Gelu' }] }, 'g.json'),
    ));
  it('not a sas-graph document', () =>
    expectError('JSON of another format', 'E_GRAPH', 'g.json: not a sas-graph document (format is "onnx")', () =>
      graphFromJSON({ ...json, format: 'onnx' }, 'g.json'),
    ));
  it('not JSON at all', () =>
    expectError('graph file that is not JSON', 'E_GRAPH', /^g\.json: not valid JSON \(/, () => graphFromJSON('{"format": "sas-graph",', 'g.json')));
});

// ---------------------------------------------------------------- models

const MODEL: ModelConfig = { vocab: 5, width: 8, layers: 1, heads: 2, maxSeqLen: 4, attention: { kind: 'sas', simHeads: 4, simHeadDim: 4, kernelSize: 3 } };

/** A model graph on `dtype` and feeds in range: ids and targets [1, 4] over a vocabulary of 5. */
function modelFeeds(dtype: 'float32' | 'float64') {
  const graph = buildModel(MODEL, { batch: 1, seqLen: 4, dtype });
  const feeds: Record<string, Tensor> = {
    ...initModel(MODEL, 1, { dtype }),
    ids: tensor([0, 1, 2, 3], [1, 4], dtype),
    targets: tensor([1, 2, 3, -100], [1, 4], dtype),
  };
  return { graph, feeds };
}

describe('catalogue: the char GPT (models)', () => {
  const cases: [string, unknown, string][] = [
    ['width not a multiple of heads', { ...MODEL, width: 9 }, 'config.width: expected a multiple of heads (2), got 9'],
    ['an empty vocabulary', { ...MODEL, vocab: 0 }, 'config.vocab: expected a positive integer, got 0'],
    ['kvHeads not dividing heads', { ...MODEL, attention: { kind: 'gqa', kvHeads: 3 } }, 'config.attention.kvHeads: expected a divisor of heads (2), got 3'],
    [
      'freezing the maps of a baseline',
      { ...MODEL, attention: { kind: 'mha' }, freeze: 'maps' },
      'config.freeze: only a SAS attention has maps to freeze, this one is mha',
    ],
  ];
  for (const [situation, config, message] of cases) {
    it(`model config: ${situation}`, () =>
      expectError(`model config: ${situation}`, 'E_CONFIG', message, () => buildModel(config as ModelConfig, { batch: 1, seqLen: 2 })));
  }
  it('seqLen longer than maxSeqLen', () =>
    expectError('model: seqLen > maxSeqLen', 'E_CONFIG', 'seqLen: expected at most config.maxSeqLen (4), got 5', () =>
      buildModel(MODEL, { batch: 1, seqLen: 5 }),
    ));

  it('a checkpoint whose tensors do not match the config: missing, unexpected, mis-shaped, another model', async () => {
    const params = initModel(MODEL, 1);
    const { 'head.bias': _dropped, ...missing } = params;
    const withModel = (tensors: Record<string, Tensor>) => serializeSafetensors(tensors, { metadata: { model: JSON.stringify(MODEL) } });
    await expectError('checkpoint missing a tensor', 'E_WEIGHTS', "run.ckpt: missing tensor 'head.bias' of shape [5] that the model config needs", () =>
      decodeCheckpoint(withModel(missing), { source: 'run.ckpt' }),
    );
    await expectError(
      'checkpoint with an unexpected tensor',
      'E_WEIGHTS',
      "run.ckpt: unexpected tensor 'blocks.1.ln1.weight' (neither a parameter of the model config nor an optimizer moment of a trainable one)",
      () => decodeCheckpoint(withModel({ ...params, 'blocks.1.ln1.weight': tensor(new Array(8).fill(1), [8]) }), { source: 'run.ckpt' }),
    );
    await expectError(
      'checkpoint tensor of the wrong shape',
      'E_WEIGHTS',
      "run.ckpt: tensor 'pos.weight' has shape [8,8], but the model config needs [4,8]",
      () => decodeCheckpoint(withModel({ ...params, 'pos.weight': tensor(new Array(64).fill(0), [8, 8]) }), { source: 'run.ckpt' }),
    );
    await expectError(
      'checkpoint of another model',
      'E_WEIGHTS',
      /^run\.ckpt: written for model \{.*"width":8,.*\}, but this run's model is \{.*"width":16,/,
      () => decodeCheckpoint(encodeCheckpoint({ config: MODEL, step: 3, params, moments: {} }), { source: 'run.ckpt', config: { ...MODEL, width: 16 } }),
    );
  });
});

const targets = await discoverTargets(workspaceCandidates());

describe('catalogue: backends', () => {
  const providers = [...new Map(targets.filter((t) => t.available).map((t) => [t.name, t.available ? t.provider : undefined])).values()];

  for (const provider of providers) {
    it(`${provider!.name}: an unknown mode`, () =>
      expectError('unknown mode', 'E_BACKEND', new RegExp(`^backend '${provider!.name}' has (one mode|no mode)`), () => provider!.create({ mode: 'quantum' })));
  }

  for (const t of targets) {
    const label = `${t.name} (${t.mode})`;
    if (!t.available) {
      it.skip(`${label}: NaN refused, T too long refused — skipped: ${t.reason}`, () => {});
      continue;
    }
    it(`${label}: NaN in an input is refused by default and runs with nonFinite: allow`, async () => {
      const backend: Backend = await t.provider.create({ mode: t.mode });
      try {
        const dtype = backend.dtypes[0];
        const feeds = feedsFor(SAS, dtype);
        const graph = buildLayer(SAS, { dtype });
        await expectError('NaN in an input (any backend)', 'E_INPUT', /^feed 'key': element 3 is NaN/, () =>
          backend.run(graph, { ...feeds, key: withElement(feeds.key, 3, NaN) }),
        );
        const out = await backend.run(graph, { ...feeds, key: withElement(feeds.key, 3, NaN) }, { nonFinite: 'allow', outputs: ['output'] });
        expect(out.output.shape).toEqual([1, 3, 4]);
      } finally {
        await backend.dispose();
      }
    });
    it(`${label}: ids and targets outside the vocabulary are refused before anything runs, naming the position`, async () => {
      const backend: Backend = await t.provider.create({ mode: t.mode });
      try {
        const { graph, feeds } = modelFeeds(backend.dtypes[0]);
        const dtype = backend.dtypes[0];
        await expectError('model: id out of range (any backend)', 'E_INPUT', "feed 'ids': position [0, 2] holds 5, expected an integer id in [0, 5)", () =>
          backend.run(graph, { ...feeds, ids: tensor([0, 1, 5, 3], [1, 4], dtype) }),
        );
        await expectError('model: id not an integer (any backend)', 'E_INPUT', "feed 'ids': position [0, 1] holds 1.5, expected an integer id in [0, 5)", () =>
          backend.run(graph, { ...feeds, ids: tensor([0, 1.5, 2, 3], [1, 4], dtype) }),
        );
        await expectError('model: negative id (any backend)', 'E_INPUT', "feed 'ids': position [0, 0] holds -1, expected an integer id in [0, 5)", () =>
          backend.run(graph, { ...feeds, ids: tensor([-1, 1, 2, 3], [1, 4], dtype) }),
        );
        await expectError(
          'model: target out of range (any backend)',
          'E_INPUT',
          "feed 'targets': position [0, 3] holds -1, expected an integer id in [0, 5) or the ignore index -100",
          () => backend.run(graph, { ...feeds, targets: tensor([1, 2, 3, -1], [1, 4], dtype) }),
        );
        await expectError(
          'model: every target ignored (any backend)',
          'E_INPUT',
          "feed 'targets': every position holds the ignore index -100, so a loss over it counts no position (at least one target must be an id in [0, 5))",
          () => backend.run(graph, { ...feeds, targets: tensor([-100, -100, -100, -100], [1, 4], dtype) }),
        );
        const { loss } = await backend.run(graph, feeds, { outputs: ['loss'] });
        expect(Number.isFinite(loss.data[0])).toBe(true);
      } finally {
        await backend.dispose();
      }
    });
    it(`${label}: a T whose scores exceed the backend's limit is refused before allocation`, async () => {
      const backend: Backend = await t.provider.create({ mode: t.mode });
      try {
        const long: LayerConfig = { kind: 'mha', batch: 1, seqLen: 50_000, heads: 1, headDim: 1, kvHeads: 1, causal: true };
        const dtype = backend.dtypes[0];
        // A backend that runs Attention fused (ndarray) never stores the scores, but refuses them
        // all the same unless asked (`longSequences`), naming the Attention node and its scores' shape.
        await expectError(
          'T too long (any backend)',
          'E_BACKEND',
          new RegExp(
            `^backend '${t.name}' \\(${t.mode}\\): node \\d+ \\((\\w+\\) of shape \\[[\\d,]+\\] has|Attention\\) scores of shape \\[1,1,1,50000,50000\\] have) \\d+ elements, more than the \\d+ one tensor may hold here`,
          ),
          () => backend.run(buildLayer(long, { dtype }), feedsFor(long, dtype)),
        );
      } finally {
        await backend.dispose();
      }
    });
  }
});

// ---------------------------------------------------------------- CLI

const bin = CLI;

/** A fixture directory holding the bundled manifest and files, with `broken` written over one of them. */
function brokenFixtures(file: string, broken: Uint8Array | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sas-catalogue-'));
  const src = bundledFixturesDir();
  writeFileSync(join(dir, 'manifest.json'), readFileSync(join(src, 'manifest.json')));
  const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8')) as { cases: { file: string }[] };
  for (const c of manifest.cases) writeFileSync(join(dir, c.file), readFileSync(join(src, c.file)));
  writeFileSync(join(dir, file), broken);
  return dir;
}

if (!existsSync(bin)) it.skip(`catalogue: the CLI — skipped: ${bin} is not built (run pnpm build)`, () => {});

describe.skipIf(!existsSync(bin))('catalogue: the CLI (one line naming the file and the defect, exit ≠ 0)', () => {
  const tiny = new Uint8Array(readFileSync(join(bundledFixturesDir(), 'sas-tiny.safetensors')));
  const headerEnd = 8 + Number(new DataView(tiny.buffer).getBigUint64(0, true));
  const lyingHeader = (() => {
    const text = new TextDecoder().decode(tiny.subarray(8, headerEnd)).replace('"shape":[', '"shape":[2,');
    const header = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + header.length + tiny.length - headerEnd);
    new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
    out.set(header, 8);
    out.set(tiny.subarray(headerEnd), 8 + header.length);
    return out;
  })();
  const variants: [string, Uint8Array | string, RegExp][] = [
    [
      'truncated in its data',
      tiny.subarray(0, headerEnd + 64),
      /sas-tiny\.safetensors: tensor '.+': data_offsets \[\d+,\d+\] run past the 64-byte data buffer \(truncated file\?\)/,
    ],
    ['truncated in its header', tiny.subarray(0, 40), /sas-tiny\.safetensors: header claims \d+ bytes but the file has only 32 after the 8-byte length/],
    [
      'with a lying header',
      lyingHeader,
      /sas-tiny\.safetensors: tensor '.+': F64 \[2,[\d,]+\] needs \d+ bytes but data_offsets \[\d+,\d+\] span \d+ \(lying header\)/,
    ],
    ['empty', new Uint8Array(0), /sas-tiny\.safetensors: file is 0 bytes, shorter than the 8-byte header length/],
  ];

  for (const [what, bytes, defect] of variants) {
    it(`conformance --fixtures: a fixture file ${what}`, () => {
      const dir = brokenFixtures('sas-tiny.safetensors', bytes);
      try {
        const r = sas(['conformance', '--backend', 'reference', '--fixtures', dir]);
        expect(r.code).toBe(1);
        const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => defect.test(l));
        expect(lines, r.stdout + r.stderr).toHaveLength(1);
        expect(lines[0]).toContain(join(dir, 'sas-tiny.safetensors'));
        seen.push({ code: 'E_SAFETENSORS', situation: `CLI conformance: fixture ${what} (exit 1)`, message: lines[0].trim().replace(dir, 'DIR') });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`demo --fixtures: a fixture file ${what}`, () => {
      const dir = brokenFixtures('sas-tiny.safetensors', bytes);
      try {
        const r = sas(['demo', '--backend', 'reference', '--fixtures', dir, '--case', 'sas-tiny']);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(new RegExp(`^sas: ${join(dir, 'sas-tiny.safetensors').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
        expect(r.stderr).toMatch(defect);
        seen.push({ code: 'E_SAFETENSORS', situation: `CLI demo: fixture ${what} (exit 2)`, message: r.stderr.trim().replace(dir, 'DIR') });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it(`export --weights: a weight file ${what}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'sas-catalogue-'));
      try {
        const config = loadFixtureSet(bundledFixturesDir()).cases.find((c) => c.name === 'sas-tiny')!.config;
        writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
        writeFileSync(join(dir, 'sas-tiny.safetensors'), bytes);
        const r = sas([
          'export',
          '--format',
          'onnx',
          '--weights',
          join(dir, 'sas-tiny.safetensors'),
          '--config',
          join(dir, 'config.json'),
          '--out',
          join(dir, 'out.onnx'),
        ]);
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
        expect(r.stderr).toMatch(defect);
        expect(existsSync(join(dir, 'out.onnx'))).toBe(false);
        seen.push({ code: 'E_SAFETENSORS', situation: `CLI export: weight file ${what} (exit 2)`, message: r.stderr.trim().replace(dir, 'DIR') });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('conformance --fixtures: a manifest that is not JSON', () => {
    const dir = brokenFixtures('manifest.json', '{"cases": [');
    try {
      const r = sas(['conformance', '--backend', 'reference', '--fixtures', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^sas: ${join(dir, 'manifest.json')}: not valid JSON \\(`));
      seen.push({ code: 'E_FIXTURE', situation: 'CLI: fixture manifest that is not JSON (exit 2)', message: r.stderr.trim().replace(dir, 'DIR') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('export --config: a layer configuration that breaks a rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-catalogue-'));
    try {
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...SAS, simHeads: 3 }));
      writeFileSync(join(dir, 'w.safetensors'), serializeSafetensors(initParams(SAS, 1, 'float64')));
      const r = sas([
        'export',
        '--format',
        'onnx',
        '--weights',
        join(dir, 'w.safetensors'),
        '--config',
        join(dir, 'config.json'),
        '--out',
        join(dir, 'out.onnx'),
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`sas: ${join(dir, 'config.json')}: config.simHeads: expected a multiple of heads (2), got 3`);
      seen.push({ code: 'E_CONFIG', situation: 'CLI export: config file breaking a rule (exit 2)', message: r.stderr.trim().replace(dir, 'DIR') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown backend and an unknown mode', () => {
    const r1 = sas(['conformance', '--backend', 'cuda']);
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim()).toMatch(/^sas: unknown backend 'cuda' \(known: reference, .*\)$/);
    const r2 = sas(['conformance', '--backend', 'ndarray', '--mode', 'gpu']);
    expect(r2.code).toBe(2);
    expect(r2.stderr.trim()).toBe("sas: backend 'ndarray' has no mode 'gpu' (modes: cpu)");
    seen.push(
      { code: 'E_BACKEND', situation: 'CLI: unknown backend (exit 2)', message: r1.stderr.trim() },
      { code: 'E_BACKEND', situation: 'CLI: unknown mode (exit 2)', message: r2.stderr.trim() },
    );
  });

  it('a GPU mode with no GPU: gpujs headlessgl with DISPLAY unset', () => {
    const env = { ...process.env };
    delete env.DISPLAY;
    const r = sas(['conformance', '--backend', 'gpujs', '--mode', 'headlessgl', '--cases', 'sas-tiny'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(/^sas: gpujs mode 'headlessgl' is unavailable: /);
    seen.push({ code: 'E_BACKEND', situation: 'CLI: GPU mode without a GPU/display (exit 2)', message: r.stderr.trim() });
  });

  it('prints the stack only with --verbose', () => {
    const r = sas(['conformance', '--backend', 'cuda', '--verbose']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').length).toBeGreaterThan(1);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

const attentionEntry = resolve(REPO_ROOT, 'packages/attention/src/index.ts');
const attention = existsSync(attentionEntry)
  ? ((await import(pathToFileURL(attentionEntry).href)) as { loadProvider?: (name: string) => Promise<unknown> })
  : undefined;

describe('catalogue: the library registry (@sas/attention)', () => {
  it('an unknown backend name', () => {
    expect(attention?.loadProvider, `${attentionEntry} exports loadProvider`).toBeTypeOf('function');
    return expectError('unknown backend name', 'E_BACKEND', /^unknown backend 'cuda' \(known: .*\)$/, () => attention!.loadProvider!('cuda'));
  });
});
