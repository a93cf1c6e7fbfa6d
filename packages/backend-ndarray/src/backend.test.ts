import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  grad,
  GraphBuilder,
  initParams,
  layerParams,
  withCotangentLoss,
  OP_NAMES,
  COMPOSITE_OP_NAMES,
  randomNormal,
  reshape,
  SasError,
  tensor,
  transpose,
  type Graph,
} from '@sas/core';
import { createNdarrayBackend, NDARRAY_KERNELS, ndarrayProvider, NDARRAY_TOLERANCE } from './index.js';

const MHA = { kind: 'mha', batch: 1, seqLen: 5, heads: 2, headDim: 4, kvHeads: 2, causal: true } as const;

function mhaFeeds() {
  const x = randomNormal([1, 5, 2, 4], 3);
  return { query: x, key: randomNormal([1, 5, 2, 4], 4), value: randomNormal([1, 5, 2, 4], 5), ...initParams(MHA, 6) };
}

async function thrown(p: Promise<unknown> | (() => unknown)): Promise<SasError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(SasError);
    return e as SasError;
  }
  throw new Error('expected a SasError, nothing was thrown');
}

describe('provider', () => {
  it('has a kernel for every primitive and every composite, so nothing runs through a decomposition', () => {
    expect(Object.keys(NDARRAY_KERNELS).sort()).toEqual([...OP_NAMES, ...COMPOSITE_OP_NAMES].sort());
  });

  it('presents one mode, cpu, float32 first, with the tolerance of tolerance.ts', async () => {
    expect(ndarrayProvider.name).toBe('ndarray');
    expect(ndarrayProvider.modes).toEqual(['cpu']);
    expect(ndarrayProvider.tolerance('cpu')).toEqual(NDARRAY_TOLERANCE);
    // The ceiling: no looser than 1e-4.
    expect(NDARRAY_TOLERANCE.atol).toBeLessThanOrEqual(1e-4);
    expect(NDARRAY_TOLERANCE.rtol).toBeLessThanOrEqual(1e-4);
    const backend = await ndarrayProvider.create();
    expect(backend.name).toBe('ndarray');
    expect(backend.mode).toBe('cpu');
    expect(backend.dtypes).toEqual(['float32', 'float64']);
  });

  it('refuses an unknown mode by name', async () => {
    const e = await thrown(ndarrayProvider.create({ mode: 'gpu' }));
    expect(e.code).toBe('E_BACKEND');
    expect(e.message).toMatch(/'ndarray'.*'gpu'/);
    expect((await thrown(() => ndarrayProvider.tolerance('wasm'))).code).toBe('E_BACKEND');
  });
});

describe('clear errors', () => {
  it('a feed of the wrong shape names the feed and both shapes', async () => {
    const feeds = { ...mhaFeeds(), query: randomNormal([1, 5, 2, 3], 1) };
    const e = await thrown(createNdarrayBackend().run(buildLayer(MHA), feeds));
    expect(e.code).toBe('E_SHAPE');
    expect(e.message).toContain("'query'");
    expect(e.message).toContain('[1,5,2,4]');
    expect(e.message).toContain('[1,5,2,3]');
  });

  it('a feed that is not a float tensor, and a missing feed, are named', async () => {
    const bad = { ...mhaFeeds(), key: { dtype: 'float32', shape: [1, 5, 2, 4], data: new Int32Array(40) } } as never;
    const e1 = await thrown(createNdarrayBackend().run(buildLayer(MHA), bad));
    expect(e1.code).toBe('E_INPUT');
    expect(e1.message).toContain("'key'");
    const { value: _omitted, ...missing } = mhaFeeds();
    const e2 = await thrown(createNdarrayBackend().run(buildLayer(MHA), missing));
    expect(e2.message).toContain("'value' is missing");
  });

  it('a float64 feed into a float32 graph is converted, not refused (the executor casts)', async () => {
    const f64 = Object.fromEntries(Object.entries(mhaFeeds()).map(([k, t]) => [k, { ...t, dtype: 'float64' as const, data: Float64Array.from(t.data) }]));
    const out = await createNdarrayBackend().run(buildLayer(MHA), f64);
    expect(out.output.dtype).toBe('float32');
    expect(out.output.data).toBeInstanceOf(Float32Array);
  });

  it('a graph with an op no one implements names the op', async () => {
    const b = new GraphBuilder('float32');
    b.output('y', b.input('x', [2]));
    const good = b.build();
    // Hand-made node of an op outside the closed set (as a corrupted graph file would hold).
    const graph: Graph = { ...good, nodes: [good.nodes[0], { id: 1, op: 'Gelu', inputs: [0], attrs: {}, shape: [2], dtype: 'float32' }], outputs: { y: 1 } };
    const e = await thrown(createNdarrayBackend().run(graph, { x: tensor([1, 2], [2], 'float32') }));
    expect(e.message).toContain("'Gelu'");
  });

  it('non-finite feeds are refused unless allowed', async () => {
    const b = new GraphBuilder('float32');
    b.output('y', b.apply('Exp', [b.input('x', [2])]));
    const g = b.build();
    const x = tensor([NaN, 1], [2], 'float32');
    expect((await thrown(createNdarrayBackend().run(g, { x }))).code).toBe('E_INPUT');
    const out = await createNdarrayBackend().run(g, { x }, { nonFinite: 'allow' });
    expect(Number.isNaN(out.y.data[0])).toBe(true);
  });

  it('a disposed backend says so', async () => {
    const backend = createNdarrayBackend();
    await backend.dispose();
    expect((await thrown(backend.run(buildLayer(MHA), mhaFeeds()))).code).toBe('E_BACKEND');
  });
});

describe('memory safety', () => {
  it('never writes into feeds: a full SAS forward and backward leaves every feed bit-identical', async () => {
    const config = { kind: 'sas', batch: 1, seqLen: 6, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
    const feeds = { query: randomNormal([1, 6, 2, 4], 1), key: randomNormal([1, 6, 2, 4], 2), value: randomNormal([1, 6, 2, 4], 3), ...initParams(config, 4) };
    const copies = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.data.slice()]));
    const layer = buildLayer(config);
    await createNdarrayBackend().run(layer, feeds);
    const backward = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt: ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)] });
    const withCotangent = { ...feeds, cotangent: randomNormal([1, 6, 8], 5) };
    const grads = await createNdarrayBackend().run(backward, withCotangent);
    expect(Object.keys(grads).filter((k) => k.startsWith('grad.')).length).toBeGreaterThan(3);
    for (const [k, t] of Object.entries(feeds)) expect(t.data, k).toEqual(copies[k]);
  });

  it('outputs never alias feeds or each other', async () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [2, 3]);
    const r = reshape(x, [3, 2]);
    b.output('same', x);
    b.output('view', r);
    b.output('view2', reshape(x, [6]));
    b.output('moved', transpose(r, [1, 0]));
    const feed = tensor([1, 2, 3, 4, 5, 6], [2, 3], 'float32');
    const out = await createNdarrayBackend().run(b.build(), { x: feed });
    const arrays = [feed.data, out.same.data, out.view.data, out.view2.data, out.moved.data];
    expect(new Set(arrays.map((a) => a.buffer)).size).toBe(arrays.length);
    out.view.data[0] = 99;
    expect(feed.data[0]).toBe(1);
    expect(out.view2.data[0]).toBe(1);
  });

  it('holds no values once a run ends', async () => {
    const backend = createNdarrayBackend();
    await backend.run(buildLayer(MHA), mhaFeeds());
    expect(backend.liveHandles()).toBe(0);
  });

  it('runs only what the requested outputs need', async () => {
    const backend = createNdarrayBackend();
    const out = await backend.run(buildLayer(MHA), mhaFeeds(), { outputs: ['trace.attention'] });
    expect(Object.keys(out)).toEqual(['trace.attention']);
  });
});
