// The model's ops (Gather, ScatterAdd, LayerNorm, LayerNormGrad, Tanh,
// CrossEntropy) as ndarray kernels: each against its float64 definition
// (the op's own `evaluate` in core, the oracle), on seeded shapes with the
// edge cases the model meets (repeated ids, ignored targets, a batch row of
// ignored targets, large logits, rows with a large common offset), and, for
// ids a graph computes (so no feed check stands in front of the kernel),
// against the primitive decomposition the reference runs: a zero row, a
// dropped row, never a read or write out of bounds.
import { describe, expect, it } from 'vitest';
import { evaluateReference, getOp, GraphBuilder, kernelFor, lowerGraph, randomNormal, type Attrs, type DType, type OpName, type Tensor } from '@sas/core';
import { createNdarrayBackend, NDARRAY_KERNELS } from './index.js';
import { DTYPES, expectClose, kernelTolerance } from './test/helpers.js';

/** Integer ids in [0, n) as a tensor of `dtype`, seeded, with repeats whenever count > n. */
function idsTensor(shape: readonly number[], n: number, seed: number, dtype: DType, mapId?: (id: number, i: number) => number): Tensor {
  const t = randomNormal(shape, seed, dtype);
  for (let i = 0; i < t.data.length; i++) {
    const id = Math.floor(Math.abs(t.data[i] * 7919)) % n;
    t.data[i] = mapId ? mapId(id, i) : id;
  }
  return t;
}

/** One op on the ndarray backend against the op's float64 `evaluate` on the same inputs. */
async function checkAgainstDefinition(op: OpName, inputs: readonly Tensor[], attrs: Attrs, tol?: { atol: number; rtol: number }): Promise<Tensor> {
  const dtype = inputs[0].dtype;
  const b = new GraphBuilder(dtype);
  const refs = inputs.map((t, i) => b.input(`x${i}`, t.shape));
  const y = b.applyByName(op, refs, attrs);
  b.output('y', y);
  const graph = b.build();
  const feeds = Object.fromEntries(inputs.map((t, i) => [`x${i}`, t]));
  const ours = (await createNdarrayBackend().run(graph, feeds, { nonFinite: 'allow' })).y;
  const node = graph.nodes[graph.outputs.y];
  const definition = getOp(op).evaluate(
    inputs.map((t) => ({ shape: t.shape, data: Float64Array.from(t.data) })),
    node.attrs as never,
    node.shape,
  );
  const expected: Tensor = { dtype, shape: [...node.shape], data: dtype === 'float32' ? Float32Array.from(definition) : definition };
  const { atol, rtol } = tol ?? kernelTolerance(dtype);
  expectClose(ours, expected, atol, rtol, `${op} ${JSON.stringify(inputs.map((t) => t.shape))} ${dtype}`);
  return ours;
}

/** One op on the ndarray backend against the reference backend, which runs it through its primitive decomposition. */
async function checkAgainstDecomposition(op: OpName, inputs: readonly Tensor[], attrs: Attrs): Promise<Tensor> {
  const dtype = inputs[0].dtype;
  const b = new GraphBuilder(dtype);
  b.output(
    'y',
    b.applyByName(
      op,
      inputs.map((t, i) => b.input(`x${i}`, t.shape)),
      attrs,
    ),
  );
  const graph = b.build();
  const feeds = Object.fromEntries(inputs.map((t, i) => [`x${i}`, t]));
  const [ours, ref] = await Promise.all([
    createNdarrayBackend().run(graph, feeds, { nonFinite: 'allow' }),
    evaluateReference(graph, feeds, { nonFinite: 'allow' }),
  ]);
  const { atol, rtol } = kernelTolerance(dtype);
  expectClose(ours.y, ref.y, atol, rtol, `${op} (decomposition) ${dtype}`);
  return ours.y;
}

describe('Gather', () => {
  for (const dtype of DTYPES) {
    it(`copies table rows by id, repeats included, exactly (${dtype})`, async () => {
      const cases: [number[], number[]][] = [
        [
          [13, 16],
          [2, 9],
        ],
        [[5, 3], [40]],
        [[1, 4], [6]],
        [[7, 8], []],
        [
          [7, 8],
          [3, 0],
        ],
        [[4, 0], [5]],
      ];
      for (const [k, [tableShape, idsShape]] of cases.entries()) {
        const table = randomNormal(tableShape, k + 1, dtype);
        const ids = idsTensor(idsShape, tableShape[0], k + 50, dtype);
        await checkAgainstDefinition('Gather', [table, ids], {}, { atol: 0, rtol: 0 });
      }
    });

    it(`gives a zero row for a computed id outside [0, V) or not an integer (${dtype})`, async () => {
      const table = randomNormal([5, 4], 3, dtype);
      const bad = [-1, 5, 2.5, 1e9, -0.5, Number.NaN, Number.POSITIVE_INFINITY, 4];
      const ids = idsTensor([bad.length], 5, 9, dtype, (_id, i) => bad[i]);
      const y = await checkAgainstDecomposition('Gather', [table, ids], {});
      for (let i = 0; i < bad.length - 1; i++) expect([...y.data.subarray(i * 4, i * 4 + 4)], `row ${i} (id ${bad[i]})`).toEqual([0, 0, 0, 0]);
      expect([...y.data.subarray(28, 32)]).toEqual([...table.data.subarray(16, 20)]);
    });
  }
});

describe('ScatterAdd', () => {
  for (const dtype of DTYPES) {
    it(`adds update rows into their id's row, repeated ids accumulating (${dtype})`, async () => {
      const cases: [number[], number, number][] = [
        [[2, 9], 13, 16],
        [[64], 3, 5],
        [[6], 1, 4],
        [[3, 0], 7, 8],
        [[5], 4, 0],
      ];
      for (const [k, [idsShape, rows, w]] of cases.entries()) {
        const ids = idsTensor(idsShape, rows, k + 20, dtype);
        const updates = randomNormal([...idsShape, w], k + 30, dtype);
        const y = await checkAgainstDefinition('ScatterAdd', [ids, updates], { rows });
        expect(y.shape).toEqual([rows, w]);
      }
    });

    it(`drops the row of a computed id outside [0, rows) (${dtype})`, async () => {
      const bad = [-1, 3, 0.5, Number.NaN, 2, 2];
      const ids = idsTensor([bad.length], 3, 9, dtype, (_id, i) => bad[i]);
      const updates = randomNormal([bad.length, 2], 4, dtype);
      const y = await checkAgainstDecomposition('ScatterAdd', [ids, updates], { rows: 3 });
      expect([...y.data.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    });
  }
});

describe('LayerNorm and LayerNormGrad', () => {
  const shapes = [
    [4, 16],
    [2, 5, 8],
    [3, 1],
    [1, 128],
    [0, 6],
  ];
  for (const dtype of DTYPES) {
    it(`LayerNorm matches torch's definition, eps 1e-5 and 0, rows with a large offset (${dtype})`, async () => {
      for (const [k, shape] of shapes.entries()) {
        const w = shape[shape.length - 1];
        // Every other row shifted by 1000: the two-pass statistics must not cancel.
        const x = randomNormal(shape, k + 1, dtype);
        for (let i = 0; i < x.data.length; i++) if (Math.floor(i / w) % 2 === 1) x.data[i] += 1000;
        const weight = randomNormal([w], k + 2, dtype);
        const bias = randomNormal([w], k + 3, dtype);
        for (const eps of [1e-5, 0]) {
          if (eps === 0 && w === 1) continue; // x̂ = 0/0
          await checkAgainstDefinition('LayerNorm', [x, weight, bias], { eps }, dtype === 'float32' ? { atol: 2e-5, rtol: 2e-5 } : undefined);
        }
      }
    });

    for (const wrt of ['x', 'weight'] as const) {
      it(`LayerNormGrad wrt ${wrt} matches its definition (${dtype})`, async () => {
        for (const [k, shape] of shapes.entries()) {
          const w = shape[shape.length - 1];
          const x = randomNormal(shape, k + 11, dtype);
          for (let i = 0; i < x.data.length; i++) if (Math.floor(i / w) % 3 === 2) x.data[i] = x.data[i] * 50 - 300;
          const weight = randomNormal([w], k + 12, dtype);
          const g = randomNormal(shape, k + 13, dtype);
          await checkAgainstDefinition('LayerNormGrad', [x, weight, g], { eps: 1e-5, wrt }, dtype === 'float32' ? { atol: 5e-5, rtol: 5e-5 } : undefined);
        }
      });
    }
  }
});

describe('Tanh', () => {
  for (const dtype of DTYPES) {
    it(`matches Math.tanh, saturating without NaN (${dtype})`, async () => {
      await checkAgainstDefinition('Tanh', [randomNormal([3, 17], 5, dtype)], {});
      const specials = [0, -0, 1e-8, -1e-8, 0.5, 20, -20, 400, -400, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN];
      const x = randomNormal([specials.length], 1, dtype);
      specials.forEach((v, i) => (x.data[i] = v));
      const y = await checkAgainstDefinition('Tanh', [x], {});
      expect(Object.is(y.data[1], -0)).toBe(true);
    });
  }
});

describe('CrossEntropy', () => {
  for (const dtype of DTYPES) {
    it(`means log-sum-exp − pick over counted targets: ignored targets, a batch row all ignored, repeats (${dtype})`, async () => {
      const cases: [number[], number][] = [
        [[2, 9], 13],
        [[4, 6], 84],
        [[7], 1],
        [[3, 5, 2], 4],
      ];
      for (const [k, [lead, v]] of cases.entries()) {
        const logits = randomNormal([...lead, v], k + 1, dtype);
        const rowLength = lead[lead.length - 1];
        // Every third target ignored, and the whole first batch row (when there are several).
        const targets = idsTensor(lead, v, k + 40, dtype, (id, i) => (i % 3 === 1 || (lead.length > 1 && i < rowLength) ? -100 : id));
        await checkAgainstDefinition('CrossEntropy', [logits, targets], { ignoreIndex: -100 });
      }
    });

    it(`stays finite and exact for large logits (max-shifted) (${dtype})`, async () => {
      for (const scale of [100, 1e4, 3e4]) {
        const logits = randomNormal([6, 10], 7, dtype);
        for (let i = 0; i < logits.data.length; i++) logits.data[i] *= scale;
        const targets = idsTensor([6], 10, 8, dtype);
        const y = await checkAgainstDefinition('CrossEntropy', [logits, targets], { ignoreIndex: -100 }, { atol: 1e-5, rtol: 1e-5 });
        expect(Number.isFinite(y.data[0])).toBe(true);
      }
    });

    it(`is NaN when no position counts, and counts a computed target outside [0, V) as the decomposition does (${dtype})`, async () => {
      const logits = randomNormal([4, 5], 2, dtype);
      const none = await checkAgainstDecomposition('CrossEntropy', [logits, idsTensor([4], 5, 1, dtype, () => -100)], { ignoreIndex: -100 });
      expect(none.data[0]).toBeNaN();
      const bad = [7, -1, 2.5, 3];
      await checkAgainstDecomposition('CrossEntropy', [logits, idsTensor([4], 5, 1, dtype, (_id, i) => bad[i])], { ignoreIndex: -100 });
    });
  }
});

describe('the model ops run as kernels, not decompositions', () => {
  it('every op of core has an ndarray kernel, so lowering returns a graph unchanged', () => {
    const b = new GraphBuilder();
    const ids = b.input('ids', [2, 3], { indexRange: 5 });
    const x = b.applyByName('Gather', [b.param('t', [5, 4]), ids], {});
    const h = b.applyByName('LayerNorm', [x, b.param('w', [4]), b.param('b', [4])], { eps: 1e-5 });
    b.output('y', b.applyByName('Tanh', [h], {}));
    const graph = b.build();
    expect(lowerGraph(graph, (op) => kernelFor(NDARRAY_KERNELS, op) !== undefined, 'ndarray')).toBe(graph);
  });
});
