import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  causalMask,
  evaluateReference,
  grad,
  GraphBuilder,
  initParams,
  layerParams,
  matMul,
  mul,
  randomNormal,
  softmax,
  withCotangentLoss,
  type Tensor,
} from '@sas/core';
import { createNdarrayBackend, liveWorkerCount, ndarrayProvider } from '../index.js';
import { expectClose, kernelTolerance } from '../test/helpers.js';
import { NDARRAY_TOLERANCE } from '../tolerance.js';
import { WasmGemm } from '../wasm/engine.js';
import type { Epilogue } from '../lib/epilogue.js';
import { expectNearReference, referenceGemm } from '../test/reference-gemm.js';
import { guidedStarts, ThreadedGemm } from './gemm.js';
import { splitRange, ThreadPool } from './pool.js';
import { collectionCount, forcedCollections, isShared, SHARED_COLLECT_BYTES, shared, sharedCopyStats, sharedFloat32 } from './shared.js';

// Shapes big enough that both the fused attention (heads × Tq × Tk ≥ 2^18) and the
// feature-map products (≥ 2^23 multiply-adds) take the threaded path; T = 150 is not a
// multiple of the 64-row block, and the kv heads of the GQA case are broadcast.
const SAS = { kind: 'sas', batch: 1, seqLen: 150, heads: 12, headDim: 64, simHeads: 24, simHeadDim: 128, kernelSize: 3, causal: true } as const;
const GQA = { kind: 'gqa', batch: 2, seqLen: 130, heads: 8, headDim: 32, kvHeads: 2, causal: false } as const;

function feedsFor(config: typeof SAS | typeof GQA): Record<string, Tensor> {
  const { batch: B, seqLen: T, heads: H, headDim: D } = config;
  const kv = 'kvHeads' in config ? config.kvHeads : H;
  return { query: randomNormal([B, T, H, D], 1), key: randomNormal([B, T, kv, D], 2), value: randomNormal([B, T, kv, D], 3), ...initParams(config, 4) };
}

describe('thread pool', () => {
  it('splits ranges evenly and aligned', () => {
    expect(splitRange(10, 2)).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(splitRange(7, 2, 4)).toEqual([
      [0, 4],
      [4, 7],
    ]);
    expect(splitRange(1, 4)).toEqual([[0, 1]]);
  });

  it('cuts a product into guided chunks: from 0 to M, largest first, whole tiles of at least minRows but the last', () => {
    for (const [M, threads, tile, minRows] of [
      [2048, 2, 2, 44],
      [16384, 2, 2, 1024],
      [100, 2, 2, 10],
      [7, 4, 2, 2],
      [3, 2, 2, 8],
    ]) {
      const starts = guidedStarts(M, threads, tile, minRows);
      const sizes = starts.slice(1).map((s, i) => s - starts[i]);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)).toBe(M);
      sizes.slice(0, -1).forEach((size, i) => {
        expect(size % tile, `chunk ${i} of M=${M}`).toBe(0);
        expect(size).toBeGreaterThanOrEqual(minRows);
        expect(size).toBeGreaterThanOrEqual(sizes[i + 1]);
      });
      expect(sizes.at(-1)).toBeGreaterThan(0);
    }
    // The last chunks are short: what a thread can be left waiting for.
    expect(guidedStarts(2048, 2, 2, 44).slice(-3)).toEqual([1984, 2028, 2048]);
  });

  it('refuses a bad threads option', () => {
    expect(() => createNdarrayBackend({ threads: 0 })).toThrow(/threads/);
    expect(() => createNdarrayBackend({ threads: 1.5 })).toThrow(/threads/);
  });

  it('runs nothing after dispose', async () => {
    const pool = new ThreadPool(2);
    await pool.dispose();
    expect(pool.parallel).toBe(false);
    expect(() => pool.run([{ kind: 'gemm' }], () => {})).toThrow(/disposed/);
  });
});

describe('threads: 2 against threads: 1 and the reference', () => {
  for (const config of [SAS, GQA]) {
    it(`${config.kind} T=${config.seqLen}: same numbers on two threads, workers ended by dispose`, async () => {
      const graph = buildLayer(config);
      const feeds = feedsFor(config);
      const before = liveWorkerCount();
      const one = createNdarrayBackend({ threads: 1 });
      const two = createNdarrayBackend({ threads: 2 });
      expect(one.threads).toBe(1);
      expect(two.threads).toBe(2);
      const a = await one.run(graph, feeds);
      const b = await two.run(graph, feeds);
      // The pool started a worker for the heavy kernels.
      expect(liveWorkerCount()).toBe(before + 1);
      // Each thread runs the single-thread kernel on its own heads / rows: identical bits.
      expect(Array.from(b.output.data)).toEqual(Array.from(a.output.data));
      const want = await evaluateReference(graph, feeds);
      const { atol, rtol } = kernelTolerance('float32');
      expectClose(b.output, want.output, atol, rtol, 'output');
      await two.dispose();
      await one.dispose();
      expect(liveWorkerCount()).toBe(before);
    }, 60_000);
  }

  it(`sas T=${SAS.seqLen} gradients: same bits on two threads (attention backward, Aᵀ·B and conv weight gradients, gates), within tolerance of the reference`, async () => {
    const graph = grad(withCotangentLoss(buildLayer(SAS), 'output'), 'loss', { wrt: ['query', 'key', 'value', ...layerParams(SAS).map((p) => p.name)] });
    const feeds = { ...feedsFor(SAS), cotangent: randomNormal([1, SAS.seqLen, SAS.heads * SAS.headDim], 9) };
    const one = createNdarrayBackend({ threads: 1 });
    const two = createNdarrayBackend({ threads: 2 });
    try {
      const [a, b] = [await one.run(graph, feeds), await two.run(graph, feeds)];
      const want = await evaluateReference(graph, feeds);
      const names = Object.keys(graph.outputs).filter((n) => n.startsWith('grad.'));
      expect(names.length).toBe(3 + layerParams(SAS).length);
      for (const name of names) {
        expect(Array.from(b[name].data), name).toEqual(Array.from(a[name].data));
        expectClose(b[name], want[name], NDARRAY_TOLERANCE.gradAtol, NDARRAY_TOLERANCE.gradRtol, name);
      }
    } finally {
      await two.dispose();
      await one.dispose();
    }
  }, 120_000);

  it('the provider passes threads through', async () => {
    const backend = (await ndarrayProvider.create({ mode: 'cpu', threads: 1 } as { mode: string })) as ReturnType<typeof createNdarrayBackend>;
    expect(backend.threads).toBe(1);
    await backend.dispose();
  });
});

describe('threads: shared memory instead of copies', () => {
  it('copies feeds into shared memory, and nothing when they are already shared; intermediates are allocated shared', async () => {
    const graph = buildLayer(SAS);
    const feeds = feedsFor(SAS);
    const sharedFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, { ...t, data: shared(t.data as Float32Array) }]));
    const one = createNdarrayBackend({ threads: 1 });
    const two = createNdarrayBackend({ threads: 2 });
    const want = await one.run(graph, feeds);
    // Not shared there: a single-thread backend next to a parallel one gets the same bits either way.
    sharedCopyStats(true);
    const a = await two.run(graph, feeds);
    // The counter sees copies: v is read straight from the 'value' feed by the threaded attention.
    expect(sharedCopyStats(true).largest).toBeGreaterThanOrEqual(SAS.seqLen * SAS.heads * SAS.headDim);
    const b = await two.run(graph, sharedFeeds);
    // Every tensor a worker reads (feeds, weights packed for a product, q and k) is already shared;
    // at most a bias vector computed in the graph (PEAA's c·G·b, H·D floats, allocated small) is copied.
    expect(sharedCopyStats().largest).toBeLessThanOrEqual(SAS.heads * SAS.headDim);
    expect(isShared(b.output.data)).toBe(true);
    expect(Array.from(a.output.data)).toEqual(Array.from(want.output.data));
    expect(Array.from(b.output.data)).toEqual(Array.from(want.output.data));
    const { atol, rtol } = kernelTolerance('float32');
    expectClose(want.output, (await evaluateReference(graph, feeds)).output, atol, rtol, 'output');
    await two.dispose();
    await one.dispose();
  }, 60_000);

  // Rows of C split across the pool; every epilogue route must give the single-thread engine's bits.
  const rand = (n: number, seed: number) => Float32Array.from(randomNormal([n], seed).data);
  const inShared = (x: Float32Array) => shared(x);
  const cases: Array<{ name: string; sharedC: boolean; sharedAddend: boolean; M: number; N: number; K: number; floor?: number }> = [
    { name: 'C not shared (staged, stored by the caller)', sharedC: false, sharedAddend: false, M: 37, N: 19, K: 23 },
    { name: 'C shared, addend shared (epilogue in the workers)', sharedC: true, sharedAddend: true, M: 37, N: 19, K: 23 },
    { name: 'C shared, addend not shared (epilogue by the caller, in place)', sharedC: true, sharedAddend: false, M: 37, N: 19, K: 23 },
    // 1031·131·125 multiply-adds: 8 chunks of 130 rows claimed by two threads, the last one short.
    { name: 'eight chunks, C and addend shared', sharedC: true, sharedAddend: true, M: 1031, N: 131, K: 125 },
    // Chunks of 20·7·23 multiply-adds, under the base engine's 4096 floor: they must still run on the SIMD kernel.
    { name: 'chunks below the base engine floor', sharedC: true, sharedAddend: true, M: 37, N: 7, K: 23, floor: 4096 },
  ];
  for (const c of cases) {
    const { M, N, K } = c;
    it(`threaded gemm, ${c.name}: identical to one thread, within rounding of the float64 reference`, async () => {
      const pool = new ThreadPool(2);
      const base = new WasmGemm(undefined, 0);
      const threaded = new ThreadedGemm(new WasmGemm(undefined, c.floor ?? 0), pool, 0);
      const lda = K + 3;
      const ldc = N + 2;
      const A = rand(M * lda, 11);
      const B = rand(N * K, 12);
      const addend = rand(M * ldc + 5, 13);
      const epilogue = (add: Float32Array): Epilogue => ({
        colBias: { data: rand(N + 1, 14), off: 1 },
        rowBias: { data: rand(M + 2, 15), off: 2 },
        addends: [{ data: add, off: 5 }],
        reluA: true,
      });
      const ep = epilogue(addend);
      const want = new Float32Array(M * ldc + 4);
      base.abt(A, 1, lda, B, 0, K, want, 4, ldc, M, N, K, ep);
      const got = c.sharedC ? sharedFloat32(M * ldc + 4) : new Float32Array(M * ldc + 4);
      threaded.abt(A, 1, lda, inShared(B), 0, K, got, 4, ldc, M, N, K, { ...ep, addends: [{ data: c.sharedAddend ? shared(addend) : addend, off: 5 }] });
      expect(Array.from(got)).toEqual(Array.from(want));
      expectNearReference(want, 4, ldc, await referenceGemm({ kind: 'abt', A, aOff: 1, lda, B, bOff: 0, ldb: K, M, N, K, ldc, epilogue: ep }), M, N, K);
      // The relu really was applied (a negative A value changes some product), so the check has teeth.
      const noRelu = new Float32Array(M * ldc + 4);
      base.abt(A, 1, lda, B, 0, K, noRelu, 4, ldc, M, N, K, { ...ep, reluA: false });
      expect(Array.from(noRelu)).not.toEqual(Array.from(want));
      await pool.dispose();
    }, 30_000);
  }
});

describe('capacity check with fusion', () => {
  // T² > 2^31 − 1: the scores of this chain exceed what one tensor may hold.
  const T = 46341;
  const chain = () => {
    const b = new GraphBuilder();
    const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [T, 1]));
    b.output('o', matMul(softmax(causalMask(mul(matMul(q, k, false, true), 0.5))), v));
    return b.build();
  };

  it('refuses the Tq×Tk scores over 2^31 elements when they would be materialised (fuse: false), before allocating', async () => {
    const x = randomNormal([T, 1], 1);
    const unfused = createNdarrayBackend({ fuse: false, threads: 1 });
    await expect(unfused.run(chain(), { q: x, k: x, v: x })).rejects.toThrow(
      /node 3 \(MatMul\) of shape \[46341,46341\] has \d+ elements, more than the 2147483647/,
    );
  });

  it('runs the fused chain at that T by default (the scores are never stored), rows as computed in float64 by hand', async () => {
    const x = randomNormal([T, 1], 1);
    const v = randomNormal([T, 1], 2);
    const fused = createNdarrayBackend({ threads: 1 });
    const { o } = await fused.run(chain(), { q: x, k: x, v });
    // Row i sees keys 0..i: softmax(0.5·x_i·x_j)·v, in float64 from the float32 feeds.
    for (const i of [0, 1, 777, T - 1]) {
      let max = -Infinity;
      for (let j = 0; j <= i; j++) max = Math.max(max, 0.5 * x.data[i] * x.data[j]);
      let sum = 0;
      let acc = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(0.5 * x.data[i] * x.data[j] - max);
        sum += e;
        acc += e * v.data[j];
      }
      expect(Math.abs(o.data[i] - acc / sum)).toBeLessThan(1e-4);
    }
  });
});

describe('forced garbage collection', () => {
  // Just over SHARED_COLLECT_BYTES of shared storage: a collection is due if, and only if, a pool opted in.
  const overThreshold = () => {
    sharedFloat32(SHARED_COLLECT_BYTES / 4);
    sharedFloat32(16);
  };

  it('never runs by default, even with a parallel pool alive', async () => {
    const backend = createNdarrayBackend({ threads: 2 });
    try {
      expect(forcedCollections()).toBe(false);
      const before = collectionCount();
      overThreshold();
      expect(collectionCount()).toBe(before);
    } finally {
      await backend.dispose();
    }
  });

  it('runs after the threshold when the backend opts in, and stops once it is disposed', async () => {
    const backend = createNdarrayBackend({ threads: 2, collectGarbage: true });
    let during: number;
    const before = collectionCount();
    try {
      expect(forcedCollections()).toBe(backend.threads > 1);
      overThreshold();
      during = collectionCount();
    } finally {
      await backend.dispose();
    }
    if (backend.threads > 1) expect(during).toBeGreaterThan(before);
    expect(forcedCollections()).toBe(false);
    const after = collectionCount();
    overThreshold();
    expect(collectionCount()).toBe(after);
  });
});
