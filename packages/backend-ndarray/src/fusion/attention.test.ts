import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  evaluateReference,
  grad,
  GraphBuilder,
  layerParams,
  mul,
  randomNormal,
  reduceSum,
  scaledDotProductAttention,
  softmax,
  causalMask,
  matMul,
  transpose,
  withCotangentLoss,
  type DType,
} from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { ENGINES, expectClose, kernelTolerance } from '../test/helpers.js';
import { NDARRAY_FLOAT64_TOLERANCE } from '../tolerance.js';
import { BLOCK_Q } from './attention.js';
import { planFusion } from './plan.js';

const SAS = { kind: 'sas', batch: 1, seqLen: 5, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
const fusedCount = (g: Parameters<typeof planFusion>[0]) => [...planFusion(g).values()].filter((r) => r.kind === 'attention').length;

describe('planFusion', () => {
  it('finds the attention chain of every layer kind', () => {
    expect(fusedCount(buildLayer(SAS))).toBe(1);
    expect(fusedCount(buildLayer({ ...SAS, causal: false }))).toBe(1);
    expect(fusedCount(buildLayer({ kind: 'gqa', batch: 1, seqLen: 4, heads: 4, headDim: 2, kvHeads: 2, causal: true }))).toBe(1);
  });

  it('reads the head-layout transposes in place and writes the output transpose directly', () => {
    const roles = planFusion(buildLayer(SAS));
    const deferredTransposes = [...roles.entries()].filter(([n, r]) => n.op === 'Transpose' && r.kind === 'defer');
    expect(deferredTransposes.length).toBe(3);
    const root = [...roles.entries()].find(([, r]) => r.kind === 'attention')!;
    expect(root[0].op).toBe('Transpose');
    expect(root[1].kind === 'attention' && root[1].outPerm).toEqual([0, 2, 1, 3]);
  });

  it('leaves primitive chains alone when an intermediate is used twice (their gradient graphs) or is an output', () => {
    const b = new GraphBuilder();
    const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [2, 3, 4]));
    const p = softmax(causalMask(mul(matMul(q, k, false, true), 0.5)));
    b.output('o', reduceSum(matMul(p, v), [0, 1, 2]));
    expect(fusedCount(b.build())).toBe(1);
    expect(fusedCount(grad(b.build(), 'o', { wrt: ['q'] }))).toBe(0);
    b.output('p', p);
    expect(fusedCount(b.build())).toBe(0);
  });

  it("fuses a layer's gradient graph: its Attention node, and one group for the three AttentionGrad nodes", () => {
    const backward = grad(withCotangentLoss(buildLayer(SAS), 'output'), 'loss', { wrt: ['query', 'key', 'value'] });
    const roles = [...planFusion(backward).entries()];
    expect(fusedCount(backward)).toBe(1);
    const grads = roles.filter(([n]) => n.op === 'AttentionGrad');
    expect(grads.map(([n]) => n.attrs.wrt)).toEqual(['q', 'k', 'v']);
    for (const [, role] of grads) expect(role.kind === 'attention-grad' && [...role.siblings.keys()]).toEqual(['q', 'k', 'v']);
    // q, k, v and the cotangent reach the attention kernels through strided reads, never copied to [B,H',T,·].
    const readers = new Set(grads.flatMap(([n]) => n.inputs));
    const viewed = roles.filter(([n, r]) => n.op === 'Transpose' && r.kind === 'defer' && readers.has(n.id));
    expect(viewed).toHaveLength(4);
  });
});

/** Attention graph on q [.., Tq, D], k/v [.., Tk, D] (batch axes may broadcast), scale on either side. */
function attentionGraph(dtype: DType, qShape: number[], kShape: number[], causal: boolean, scaleFirst = false) {
  const b = new GraphBuilder(dtype);
  const q = b.input('q', qShape);
  const k = b.input('k', kShape);
  const v = b.input('v', [...kShape.slice(0, -1), 3]);
  if (scaleFirst) {
    const s = mul(0.37, matMul(q, k, false, true));
    b.output('o', matMul(softmax(causal ? causalMask(s) : s), v));
  } else b.output('o', scaledDotProductAttention(q, k, v, 0.37, causal));
  return b.build();
}

describe.each(ENGINES)('fused attention matches the reference ($label)', ({ backend }) => {
  // T around the query block size, Tq ≠ Tk (bottom-right mask; Tq > Tk leaves
  // fully masked rows, NaN as in the reference), grouped kv heads by broadcasting.
  const CASES: [number[], number[]][] = [
    [
      [2, 7, 5],
      [2, 7, 5],
    ],
    [
      [1, 2, BLOCK_Q, 8],
      [1, 2, BLOCK_Q, 8],
    ],
    [
      [1, 2, BLOCK_Q + 1, 8],
      [1, 2, BLOCK_Q + 1, 8],
    ],
    [
      [1, 2 * BLOCK_Q + 3, 4],
      [1, 2 * BLOCK_Q + 3, 4],
    ],
    [
      [2, 5, 4],
      [2, 9, 4],
    ],
    [
      [1, BLOCK_Q + 9, 4],
      [1, 7, 4],
    ],
    [
      [2, 3, 6, 4],
      [2, 1, 6, 4],
    ],
    [
      [3, 1, 1],
      [3, 1, 1],
    ],
    [
      [1, 3, 4],
      [1, 0, 4],
    ],
  ];
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const causal of [true, false]) {
      it(`${dtype} ${causal ? 'causal' : 'bidirectional'}`, async () => {
        for (const [i, [qs, ks]] of CASES.entries()) {
          const g = attentionGraph(dtype, qs, ks, causal, i % 2 === 1);
          expect(fusedCount(g)).toBe(1);
          const feeds = { q: randomNormal(qs, i + 1, dtype), k: randomNormal(ks, i + 2, dtype), v: randomNormal([...ks.slice(0, -1), 3], i + 3, dtype) };
          const [ours, ref] = await Promise.all([createNdarrayBackend(backend).run(g, feeds), evaluateReference(g, feeds)]);
          const tol = kernelTolerance(dtype);
          expectClose(ours.o, ref.o, tol.atol, tol.rtol, `attention ${JSON.stringify([qs, ks])}`);
        }
      });
    }
  }
});

describe.each(ENGINES)('fused attention through head-layout transposes ($label)', ({ backend }) => {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    it(`[B,T,H,D] in and out, grouped kv heads, ${dtype}`, async () => {
      const b = new GraphBuilder(dtype);
      const perHead = (x: ReturnType<typeof b.input>) => transpose(x, [0, 2, 1, 3]);
      const q = b.input('q', [2, 70, 4, 6]);
      const k = b.input('k', [2, 70, 1, 6]);
      const v = b.input('v', [2, 70, 1, 5]);
      b.output('o', transpose(scaledDotProductAttention(perHead(q), perHead(k), perHead(v), 0.4, true), [0, 2, 1, 3]));
      const g = b.build();
      expect([...planFusion(g).entries()].filter(([n, r]) => n.op === 'Transpose' && r.kind === 'defer').length).toBe(3);
      const feeds = { q: randomNormal([2, 70, 4, 6], 1, dtype), k: randomNormal([2, 70, 1, 6], 2, dtype), v: randomNormal([2, 70, 1, 5], 3, dtype) };
      const [ours, ref] = await Promise.all([createNdarrayBackend(backend).run(g, feeds), evaluateReference(g, feeds)]);
      const tol = kernelTolerance(dtype);
      expectClose(ours.o, ref.o, tol.atol, tol.rtol, 'o');
    });
  }
});

describe('fusion changes nothing observable', () => {
  it('a SAS layer gives the same outputs and gradients fused and unfused, both within tolerance of the reference', async () => {
    const config = { ...SAS, seqLen: 70, batch: 2 };
    const layer = buildLayer(config, { dtype: 'float64' });
    const feeds = {
      query: randomNormal([2, 70, 2, 4], 1, 'float64'),
      key: randomNormal([2, 70, 2, 4], 2, 'float64'),
      value: randomNormal([2, 70, 2, 4], 3, 'float64'),
      ...Object.fromEntries(layerParams(config).map((p, i) => [p.name, randomNormal(p.shape, 10 + i, 'float64')])),
    };
    const fused = await createNdarrayBackend().run(layer, feeds);
    const plain = await createNdarrayBackend({ fuse: false }).run(layer, feeds);
    const ref = await evaluateReference(layer, feeds);
    for (const name of Object.keys(layer.outputs)) {
      expectClose(fused[name], plain[name], 1e-12, 1e-12, name);
      // Agreeing with itself is not enough: the float64 reference is the oracle.
      expectClose(fused[name], ref[name], NDARRAY_FLOAT64_TOLERANCE.atol, NDARRAY_FLOAT64_TOLERANCE.rtol, name);
    }
    const g = grad(withCotangentLoss(layer, 'output'), 'loss', { wrt: ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)] });
    const gradFeeds = { ...feeds, cotangent: randomNormal([2, 70, 8], 30, 'float64') };
    const [fusedGrads, plainGrads, refGrads] = await Promise.all([
      createNdarrayBackend().run(g, gradFeeds),
      createNdarrayBackend({ fuse: false }).run(g, gradFeeds),
      evaluateReference(g, gradFeeds),
    ]);
    const names = Object.keys(g.outputs).filter((n) => n.startsWith('grad.'));
    expect(names.length).toBe(3 + layerParams(config).length);
    for (const name of names) {
      expectClose(fusedGrads[name], plainGrads[name], 1e-10, 1e-10, name);
      expectClose(fusedGrads[name], refGrads[name], NDARRAY_FLOAT64_TOLERANCE.gradAtol, NDARRAY_FLOAT64_TOLERANCE.gradRtol, name);
    }
  });
});
