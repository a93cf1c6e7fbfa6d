import { describe, expect, it } from 'vitest';
import { evaluateReference, gather, GraphBuilder, numericalGradientCheck, scatterAdd, seededRandom, tensor, verifyGraph, type Graph } from '@sas/core';
import { evaluateDirect, expectClose, randomIds, runDecomposed, uniform } from '../test-support/composite.js';
import { sasError } from '../test-support/sas-error.js';

// table rows: 0 → [1, 2], 1 → [3, 4], 2 → [5, 6]
const table = tensor([1, 2, 3, 4, 5, 6], [3, 2]);

describe('Gather', () => {
  it('picks table rows by id, keeping the ids’ shape', async () => {
    const ids = tensor([2, 0, 1, 1], [2, 2]);
    const direct = evaluateDirect('Gather', [table, ids], {});
    expect(direct.shape).toEqual([2, 2, 2]);
    expect(Array.from(direct.data)).toEqual([5, 6, 1, 2, 3, 4, 3, 4]);
    const decomposed = await runDecomposed({ table, ids }, ({ table, ids }) => gather(table, ids));
    expect(decomposed.shape).toEqual([2, 2, 2]);
    expect(Array.from(decomposed.data)).toEqual([5, 6, 1, 2, 3, 4, 3, 4]); // one-hot rows pick exactly
  });

  it('takes a scalar id and an empty list of ids', async () => {
    expect(Array.from((await runDecomposed({ table, ids: tensor([1], []) }, ({ table, ids }) => gather(table, ids))).data)).toEqual([3, 4]);
    const none = await runDecomposed({ table, ids: tensor([], [0, 4]) }, ({ table, ids }) => gather(table, ids));
    expect(none.shape).toEqual([0, 4, 2]);
  });

  it('the reference refuses an id that is not an integer in [0, V), naming the position', () => {
    for (const [bad, shown] of [
      [3, '3'],
      [-1, '-1'],
      [1.5, '1.5'],
      [NaN, 'NaN'],
    ] as const) {
      const e = sasError(() => evaluateDirect('Gather', [table, tensor([0, 1, 2, bad], [2, 2])], {}));
      expect([e.code, e.message]).toEqual(['E_INPUT', `Gather: ids at position [1, 1] holds ${shown}, expected an integer id in [0, 3)`]);
    }
  });

  it('gives a zero row for a computed id out of range in its decomposition (what kernels must do: never read out of bounds)', async () => {
    const b = new GraphBuilder('float64');
    const t = b.input('table', [3, 2]);
    b.output('y', gather(t, b.constant([0, 7, -1, 0.5], [4])));
    const y = (await evaluateReference(b.build(), { table })).y;
    expect(Array.from(y.data)).toEqual([1, 2, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a table that is not a matrix', () => {
    const b = new GraphBuilder('float64');
    const e = sasError(() => gather(b.input('t', [3, 2, 1]), b.input('ids', [4])));
    expect([e.code, e.message]).toEqual(['E_SHAPE', 'Gather: the table must have rank 2 ([V, w]), got [3,2,1] (inputs a [3,2,1], b [4])']);
  });

  it('verifyGraph refuses a recorded shape other than [...ids, w]', () => {
    const b = new GraphBuilder('float64');
    b.output('y', gather(b.input('t', [3, 2]), b.input('ids', [4])));
    const g = b.build();
    const tampered: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Gather' ? { ...n, shape: [4, 3] } : n)) };
    expect(sasError(() => verifyGraph(tampered)).message).toBe('graph node 2 (Gather): recorded shape [4,3] but the op infers [4,2]');
  });

  it('its gradient w.r.t. the table passes the float64 numerical check (repeated ids accumulate)', async () => {
    const rand = seededRandom(41);
    const ids = randomIds([3, 4], 5, rand);
    ids.data[1] = ids.data[0]; // a repeat for sure
    const [r] = await numericalGradientCheck(
      ([t]) => gather(t, t.builder.constant(Array.from(ids.data), ids.shape)),
      { t: uniform([5, 3], rand) },
      uniform([3, 4, 3], rand),
    );
    expect(r.maxScaledError).toBeLessThan(1e-7);
  });
});

describe('ScatterAdd', () => {
  it('adds each update row at its id into zeros, accumulating repeats', async () => {
    const ids = tensor([2, 0, 2], [3]);
    const updates = tensor([1, 1, 2, 3, 10, 20], [3, 2]);
    const direct = evaluateDirect('ScatterAdd', [ids, updates], { rows: 4 });
    expect(direct.shape).toEqual([4, 2]);
    expect(Array.from(direct.data)).toEqual([2, 3, 0, 0, 11, 21, 0, 0]);
    const decomposed = await runDecomposed({ ids, updates }, ({ ids, updates }) => scatterAdd(ids, updates, 4));
    expect(Array.from(decomposed.data)).toEqual([2, 3, 0, 0, 11, 21, 0, 0]);
  });

  it('its decomposition matches its evaluate on random ids of rank 2', async () => {
    const rand = seededRandom(5);
    const ids = randomIds([4, 6], 7, rand);
    const updates = uniform([4, 6, 3], rand);
    const direct = evaluateDirect('ScatterAdd', [ids, updates], { rows: 7 });
    expectClose((await runDecomposed({ ids, updates }, ({ ids, updates }) => scatterAdd(ids, updates, 7))).data, direct.data, 1e-14);
  });

  it('the reference refuses an id out of range; the decomposition drops its row', async () => {
    const e = sasError(() => evaluateDirect('ScatterAdd', [tensor([0, 4], [2]), tensor([1, 1, 1, 1], [2, 2])], { rows: 4 }));
    expect(e.message).toBe('ScatterAdd: ids at position [1] holds 4, expected an integer id in [0, 4)');
    const b = new GraphBuilder('float64');
    b.output('y', scatterAdd(b.constant([0, 4], [2]), b.input('u', [2, 2]), 4));
    expect(Array.from((await evaluateReference(b.build(), { u: tensor([1, 2, 3, 4], [2, 2]) })).y.data)).toEqual([1, 2, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses updates not shaped [...ids, w] and a bad rows attribute', () => {
    const b = new GraphBuilder('float64');
    const ids = b.input('ids', [2, 3]);
    expect(sasError(() => scatterAdd(ids, b.input('u', [3, 2, 4]), 5)).message).toBe(
      'ScatterAdd: updates must be shaped [...ids, w] = [2,3,4] (inputs a [2,3], b [3,2,4])',
    );
    const e = sasError(() => scatterAdd(ids, b.input('v', [2, 3, 4]), -1));
    expect([e.code, e.message]).toEqual(['E_ATTR', 'ScatterAdd: rows must be a non-negative integer, got -1']);
  });

  it('its gradient w.r.t. the updates (a Gather) passes the float64 numerical check', async () => {
    const rand = seededRandom(43);
    const ids = randomIds([5], 3, rand);
    const [r] = await numericalGradientCheck(
      ([u]) => scatterAdd(u.builder.constant(Array.from(ids.data), [5]), u, 3),
      { u: uniform([5, 2], rand) },
      uniform([3, 2], rand),
    );
    expect(r.maxScaledError).toBeLessThan(1e-7);
  });
});
