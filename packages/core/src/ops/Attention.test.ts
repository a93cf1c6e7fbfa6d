import { describe, expect, it } from 'vitest';
import {
  attention,
  attentionGrad,
  causalMask,
  COMPOSITE_OP_NAMES,
  evaluateReference,
  getOp,
  grad,
  GraphBuilder,
  matMul,
  mul,
  numericalGradientCheck,
  reduceSum,
  seededRandom,
  softmax,
  tensor,
  type NodeRef,
  type Tensor,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

const LN3 = Math.log(3);

function uniform(shape: number[], rand: () => number): Tensor {
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = 2 * rand() - 1;
  return { dtype: 'float64', shape, data };
}

/** Builds `f` over float64 inputs named after `feeds` and runs it on the reference (which decomposes composites). */
async function run(feeds: Record<string, Tensor>, f: (x: Record<string, NodeRef>) => Record<string, NodeRef>): Promise<Record<string, Tensor>> {
  const b = new GraphBuilder('float64');
  const refs = Object.fromEntries(Object.entries(feeds).map(([n, t]) => [n, b.input(n, t.shape)]));
  for (const [name, ref] of Object.entries(f(refs))) b.output(name, ref);
  return evaluateReference(b.build(), feeds, { nonFinite: 'allow' });
}

/** The op's own `evaluate` (its readable definition), called directly. */
function evaluateDirect(op: string, inputs: Tensor[], attrs: Record<string, unknown>, shape: number[]): Float64Array {
  return getOp(op).evaluate(
    inputs.map((t) => ({ shape: t.shape, data: Float64Array.from(t.data) })),
    attrs as never,
    shape,
  );
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `element ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i])));
};

describe('Attention', () => {
  it('is listed as a composite op with a decomposition', () => {
    expect(COMPOSITE_OP_NAMES.slice(0, 2)).toEqual(['Attention', 'AttentionGrad']);
    for (const name of COMPOSITE_OP_NAMES) expect(getOp(name).decompose).toBeTypeOf('function');
  });

  it('computes softmax(scale·q·kᵀ)·v by hand, causal and not', async () => {
    // q = [1, 1], k = [0, 1], scale = ln 3: scores row i = [0, ln 3]; v = [1, 3].
    const feeds = { q: tensor([1, 1], [2, 1]), k: tensor([0, 1], [2, 1]), v: tensor([1, 3], [2, 1]) };
    const out = await run(feeds, ({ q, k, v }) => ({
      causal: attention(q, k, v, { scale: LN3, causal: true }),
      full: attention(q, k, v, { scale: LN3, causal: false }),
    }));
    // causal row 0 sees key 0 only → 1; row 1 → (1·1 + 3·3)/4 = 2.5; non-causal: both rows 2.5.
    close(out.causal.data, [1, 2.5]);
    close(out.full.data, [2.5, 2.5]);
    close(evaluateDirect('Attention', [feeds.q, feeds.k, feeds.v], { scale: LN3, causal: true }, [2, 1]), [1, 2.5]);
  });

  it('aligns the causal mask bottom-right and broadcasts batch axes (one kv head, two query heads)', async () => {
    const rand = seededRandom(3);
    const feeds = { q: uniform([2, 3, 4], rand), k: uniform([1, 5, 4], rand), v: uniform([1, 5, 2], rand) };
    const out = await run(feeds, ({ q, k, v }) => {
      const fused = attention(q, k, v, { scale: 0.7, causal: true });
      const chain = matMul(softmax(causalMask(mul(matMul(q, k, false, true), 0.7), 'neg-inf')), v);
      return { fused, chain };
    });
    expect(out.fused.shape).toEqual([2, 3, 2]);
    close(out.fused.data, out.chain.data);
    close(evaluateDirect('Attention', [feeds.q, feeds.k, feeds.v], { scale: 0.7, causal: true }, [2, 3, 2]), out.chain.data);
  });

  it('refuses mismatched shapes and bad attributes with the rule broken', () => {
    const b = new GraphBuilder();
    const q = b.input('q', [2, 3, 4]);
    const k = b.input('k', [2, 5, 4]);
    expect(sasError(() => attention(q, k, b.input('v', [2, 4, 2]), { scale: 1, causal: true })).message).toBe(
      'Attention: k and v lengths differ: 5 vs 4 (inputs a [2,3,4], b [2,5,4], c [2,4,2])',
    );
    expect(sasError(() => attention(q, b.input('k3', [2, 5, 3]), b.input('v3', [2, 5, 3]), { scale: 1, causal: true })).message).toMatch(
      /^Attention: q and k widths differ: 4 vs 3/,
    );
    expect(sasError(() => attention(q, b.input('k4', [3, 5, 4]), b.input('v4', [3, 5, 4]), { scale: 1, causal: true })).message).toMatch(
      /^Attention: batch axes do not broadcast: axis -3 is 2 \/ 3 \/ 3/,
    );
    const e = sasError(() => attention(q, k, b.input('v5', [2, 5, 2]), { scale: NaN, causal: true }));
    expect([e.code, e.message]).toEqual(['E_ATTR', 'Attention: scale must be a finite number, got NaN']);
  });
});

describe('AttentionGrad', () => {
  const attrs = { scale: 0.6, causal: true };
  const shapes = { q: [2, 2, 4, 3], k: [2, 1, 6, 3], v: [2, 1, 6, 5] };

  it('matches the gradients of the primitive chain (softmax VJP), with the kv head shared by two query heads', async () => {
    const rand = seededRandom(11);
    const feeds = { q: uniform(shapes.q, rand), k: uniform(shapes.k, rand), v: uniform(shapes.v, rand), g: uniform([2, 2, 4, 5], rand) };
    // Oracle: the chain of primitives, differentiated through their own VJPs.
    const b = new GraphBuilder('float64');
    const [q, k, v, g] = (['q', 'k', 'v', 'g'] as const).map((n) => b.input(n, feeds[n].shape));
    const chain = matMul(softmax(causalMask(mul(matMul(q, k, false, true), attrs.scale), 'neg-inf')), v);
    b.output('loss', reduceSum(mul(chain, g), [0, 1, 2, 3]));
    const expected = await evaluateReference(grad(b.build(), 'loss', { wrt: ['q', 'k', 'v'] }), feeds);
    const out = await run(feeds, (x) => {
      const y = attention(x.q, x.k, x.v, attrs);
      return Object.fromEntries((['q', 'k', 'v'] as const).map((w) => [w, attentionGrad(x.q, x.k, x.v, y, x.g, attrs, w)]));
    });
    const y = (await run(feeds, (x) => ({ y: attention(x.q, x.k, x.v, attrs) }))).y;
    for (const w of ['q', 'k', 'v'] as const) {
      expect(out[w].shape).toEqual(shapes[w]);
      close(out[w].data, expected[`grad.${w}`].data);
      const inputs = [feeds.q, feeds.k, feeds.v, y, feeds.g];
      close(evaluateDirect('AttentionGrad', inputs, { ...attrs, wrt: w }, shapes[w]), expected[`grad.${w}`].data);
    }
  });

  it('is what grad() emits for an Attention node, and passes the numerical check', async () => {
    const rand = seededRandom(5);
    for (const causal of [true, false]) {
      const inputs = { q: uniform([1, 3, 4, 2], rand), k: uniform([1, 1, 4, 2], rand), v: uniform([1, 1, 4, 3], rand) };
      const results = await numericalGradientCheck(([q, k, v]) => attention(q, k, v, { scale: 0.9, causal }), inputs, uniform([1, 3, 4, 3], rand));
      for (const r of results) expect(r.maxScaledError, `${r.input} causal=${causal}`).toBeLessThan(1e-6);
    }
    const b = new GraphBuilder('float64');
    const [q, k, v] = ['q', 'k', 'v'].map((n) => b.input(n, [1, 2, 2]));
    b.output('loss', reduceSum(attention(q, k, v, attrs), [0, 1, 2]));
    const ops = grad(b.build(), 'loss', { wrt: ['q', 'k', 'v'] }).nodes.filter((n) => n.op === 'AttentionGrad');
    expect(ops.map((n) => n.attrs.wrt)).toEqual(['q', 'k', 'v']);
  });

  it('refuses an output or cotangent of the wrong shape, and an unknown wrt', () => {
    const b = new GraphBuilder();
    const q = b.input('q', [3, 4]);
    const k = b.input('k', [5, 4]);
    const v = b.input('v', [5, 2]);
    const y = attention(q, k, v, attrs);
    expect(sasError(() => attentionGrad(q, k, v, y, b.input('g', [3, 4]), attrs, 'q')).message).toBe(
      'AttentionGrad: the cotangent g (e) must have shape [3,2], got [3,4] (inputs a [3,4], b [5,4], c [5,2], d [3,2], e [3,4])',
    );
    const e = sasError(() => attentionGrad(q, k, v, y, y, attrs, 'x' as never));
    expect([e.code, e.message]).toEqual(['E_ATTR', `AttentionGrad: wrt must be 'q', 'k' or 'v', got "x"`]);
  });
});
