import { describe, expect, it } from 'vitest';
import { attention, attentionGrad, evaluateReference, GraphBuilder, randomNormal, type DType } from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { ENGINES, expectClose } from '../test/helpers.js';
import { GRAD_BLOCK_Q } from './attention-grad.js';
import { planFusion } from './plan.js';

/** dq, dk, dv of attention(q, k, v) for the cotangent g, as three AttentionGrad nodes (what grad() emits). */
function gradGraph(dtype: DType, qShape: number[], kShape: number[], dv: number, causal: boolean) {
  const b = new GraphBuilder(dtype);
  const q = b.input('q', qShape);
  const k = b.input('k', kShape);
  const v = b.input('v', [...kShape.slice(0, -1), dv]);
  const attrs = { scale: 0.37, causal };
  const out = attention(q, k, v, attrs);
  const g = b.input('g', out.shape);
  for (const w of ['q', 'k', 'v'] as const) b.output(`d${w}`, attentionGrad(q, k, v, out, g, attrs, w));
  return b.build();
}

// Gradients accumulate over key blocks and heads in float32: a little looser than one kernel.
const TOLERANCE = { float32: { atol: 2e-5, rtol: 2e-5 }, float64: { atol: 1e-12, rtol: 1e-12 } };

describe.each(ENGINES)('fused attention backward matches the reference ($label)', ({ backend }) => {
  // Query blocks with ragged edges, Tq ≠ Tk (bottom-right mask; Tq > Tk leaves rows that
  // see no key), a kv head shared by a group of query heads (dk, dv summed over the group).
  const CASES: [number[], number[], number][] = [
    [[2, 7, 5], [2, 7, 5], 3],
    [[1, 2, GRAD_BLOCK_Q + 6, 8], [1, 2, GRAD_BLOCK_Q + 6, 8], 8],
    [[1, 2 * GRAD_BLOCK_Q + 3, 16], [1, 2 * GRAD_BLOCK_Q + 3, 16], 8],
    [[2, 5, 4], [2, 9, 4], 6],
    [[1, GRAD_BLOCK_Q + 9, 8], [1, 7, 8], 4],
    [[2, 3, 70, 8], [2, 1, 70, 8], 5],
    [[3, 1, 1], [3, 1, 1], 1],
  ];
  for (const dtype of ['float32', 'float64'] as DType[]) {
    for (const causal of [true, false]) {
      it(`${dtype} ${causal ? 'causal' : 'bidirectional'}`, async () => {
        for (const [i, [qs, ks, dv]] of CASES.entries()) {
          const graph = gradGraph(dtype, qs, ks, dv, causal);
          const groups = [...planFusion(graph).values()].filter((r) => r.kind === 'attention-grad');
          expect(groups).toHaveLength(3);
          const out = graph.nodes[graph.outputs.dq].inputs[3];
          const feeds = {
            q: randomNormal(qs, i + 1, dtype),
            k: randomNormal(ks, i + 2, dtype),
            v: randomNormal([...ks.slice(0, -1), dv], i + 3, dtype),
            g: randomNormal(graph.nodes[out].shape, i + 4, dtype),
          };
          const fused = createNdarrayBackend(backend);
          const alone = createNdarrayBackend({ ...backend, fuse: false });
          const [ours, single, ref] = await Promise.all([
            fused.run(graph, feeds, { nonFinite: 'allow' }),
            alone.run(graph, feeds, { nonFinite: 'allow' }),
            evaluateReference(graph, feeds, { nonFinite: 'allow' }),
          ]);
          const tol = TOLERANCE[dtype];
          for (const name of ['dq', 'dk', 'dv']) {
            expectClose(ours[name], ref[name], tol.atol, tol.rtol, `${name} of ${JSON.stringify([qs, ks, dv])} (grouped)`);
            expectClose(single[name], ref[name], tol.atol, tol.rtol, `${name} of ${JSON.stringify([qs, ks, dv])} (alone)`);
          }
          await Promise.all([fused.dispose(), alone.dispose()]);
        }
      });
    }
  }
});

describe('grouped gradients', () => {
  it('are recomputed when a sibling ran on other input values (nothing stale is reused)', async () => {
    const graph = gradGraph('float32', [1, 9, 4], [1, 9, 4], 4, true);
    const backend = createNdarrayBackend();
    const feeds = (seed: number) => ({
      q: randomNormal([1, 9, 4], seed),
      k: randomNormal([1, 9, 4], seed + 1),
      v: randomNormal([1, 9, 4], seed + 2),
      g: randomNormal([1, 9, 4], seed + 3),
    });
    // Asking for dq alone computes dk and dv ahead for siblings that never run in this call.
    await backend.run(graph, feeds(1), { outputs: ['dq'] });
    const second = feeds(10);
    const [ours, ref] = await Promise.all([backend.run(graph, second), evaluateReference(graph, second)]);
    for (const name of ['dq', 'dk', 'dv']) expectClose(ours[name], ref[name], 2e-5, 2e-5, name);
    await backend.dispose();
  });
});

describe('threaded attention backward', () => {
  it('splits heads across two threads and matches the reference (and grouped kv heads stay on one thread, still right)', async () => {
    const backend = createNdarrayBackend({ threads: 2 });
    try {
      // 4 heads × 300 × 300 scores: past the threading threshold.
      for (const [qs, ks] of [
        [
          [1, 4, 300, 8],
          [1, 4, 300, 8],
        ],
        [
          [1, 4, 300, 8],
          [1, 1, 300, 8],
        ],
      ] as const) {
        const graph = gradGraph('float32', [...qs], [...ks], 8, true);
        const feeds = {
          q: randomNormal([...qs], 1),
          k: randomNormal([...ks], 2),
          v: randomNormal([...ks.slice(0, -1), 8], 3),
          g: randomNormal([...qs.slice(0, -1), 8], 4),
        };
        const [ours, ref] = await Promise.all([backend.run(graph, feeds), evaluateReference(graph, feeds)]);
        for (const name of ['dq', 'dk', 'dv']) expectClose(ours[name], ref[name], 2e-5, 2e-5, `${name} ${JSON.stringify(ks)}`);
      }
    } finally {
      await backend.dispose();
    }
  });
});
