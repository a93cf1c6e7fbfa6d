import { describe, expect, it } from 'vitest';
import {
  isCompositeOp,
  createReferenceBackend,
  crossEntropy,
  evaluateReference,
  gather,
  graphFromJSON,
  graphToJSON,
  GraphBuilder,
  lowerGraph,
  mergeCommonSubexpressions,
  tensor,
  verifyGraph,
  type Graph,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** loss = CE(gather(table, ids), targets) over a vocabulary of 3: ids and targets carry index domains. */
function lookupLoss(): Graph {
  const b = new GraphBuilder('float64');
  const ids = b.input('ids', [2, 3], { indexRange: 3 });
  const targets = b.input('targets', [2, 3], { indexRange: 3, ignoreIndex: -100 });
  b.output('loss', crossEntropy(gather(b.param('table', [3, 3]), ids), targets));
  return b.build();
}

const table = tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]);
const ok = { ids: tensor([0, 1, 2, 2, 1, 0], [2, 3]), targets: tensor([0, -100, 2, 2, 1, 0], [2, 3]), table };

async function rejection(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('index domains of inputs', () => {
  it('the builder records them as Input attributes', () => {
    const node = lookupLoss().nodes.find((n) => n.op === 'Input' && n.attrs.name === 'targets')!;
    expect(node.attrs).toMatchObject({ name: 'targets', indexRange: 3, ignoreIndex: -100 });
  });

  it('feeds inside the domain run', async () => {
    const { loss } = await evaluateReference(lookupLoss(), ok);
    expect(loss.shape).toEqual([]);
    expect(Number.isFinite(loss.data[0])).toBe(true);
  });

  for (const [feed, index, value, message] of [
    ['ids', 4, 3, "feed 'ids': position [1, 1] holds 3, expected an integer id in [0, 3)"],
    ['ids', 2, -1, "feed 'ids': position [0, 2] holds -1, expected an integer id in [0, 3)"],
    ['ids', 0, 0.5, "feed 'ids': position [0, 0] holds 0.5, expected an integer id in [0, 3)"],
    ['ids', 5, NaN, "feed 'ids': position [1, 2] holds NaN, expected an integer id in [0, 3)"],
    ['targets', 3, 3, "feed 'targets': position [1, 0] holds 3, expected an integer id in [0, 3) or the ignore index -100"],
    ['targets', 0, -1, "feed 'targets': position [0, 0] holds -1, expected an integer id in [0, 3) or the ignore index -100"],
  ] as const) {
    it(`a fed ${feed} value ${value} is one E_INPUT line naming the position, before anything runs (even with nonFinite: allow)`, async () => {
      const data = ok[feed].data.slice();
      data[index] = value;
      const e = await rejection(evaluateReference(lookupLoss(), { ...ok, [feed]: tensor(data, [2, 3]) }, { nonFinite: 'allow' }));
      expect([e.code, e.message]).toEqual(['E_INPUT', message]);
    });
  }

  it('targets that are all the ignore index are refused: the loss would count no position', async () => {
    const e = await rejection(evaluateReference(lookupLoss(), { ...ok, targets: tensor(new Array(6).fill(-100), [2, 3]) }));
    expect([e.code, e.message]).toEqual([
      'E_INPUT',
      "feed 'targets': every position holds the ignore index -100, so a loss over it counts no position (at least one target must be an id in [0, 3))",
    ]);
  });

  it('float32 graphs check their ids too', async () => {
    const b = new GraphBuilder('float32');
    b.output('x', gather(b.param('t', [3, 2]), b.input('ids', [2], { indexRange: 3 })));
    const e = await rejection(
      createReferenceBackend().run(b.build(), { t: tensor([1, 2, 3, 4, 5, 6], [3, 2], 'float32'), ids: tensor([2, 7], [2], 'float32') }),
    );
    expect(e.message).toBe("feed 'ids': position [1] holds 7, expected an integer id in [0, 3)");
  });

  it('lowering and merging keep the domains (kernel backends check feeds on the lowered graph)', () => {
    const lowered = mergeCommonSubexpressions(lowerGraph(lookupLoss(), (op) => !isCompositeOp(op), 'primitives only'));
    expect(lowered.nodes.some((n) => n.op === 'Gather' || n.op === 'CrossEntropy')).toBe(false);
    const inputs = lowered.nodes.filter((n) => n.op === 'Input').map((n) => n.attrs);
    expect(inputs).toEqual([
      { name: 'ids', shape: [2, 3], indexRange: 3 },
      { name: 'targets', shape: [2, 3], indexRange: 3, ignoreIndex: -100 },
    ]);
  });

  it('the JSON format keeps them (version 3) and reads them back', async () => {
    const json = JSON.parse(JSON.stringify(graphToJSON(lookupLoss())));
    expect(json.version).toBe(3);
    const back = graphFromJSON(json, 'model.json');
    expect(back.nodes.find((n) => n.attrs.name === 'ids')!.attrs.indexRange).toBe(3);
    const e = await rejection(evaluateReference(back, { ...ok, ids: tensor([0, 1, 2, 2, 1, 9], [2, 3]) }));
    expect(e.message).toBe("feed 'ids': position [1, 2] holds 9, expected an integer id in [0, 3)");
  });

  it('an older version lowers the model ops and still carries the domains', async () => {
    const v2 = JSON.parse(JSON.stringify(graphToJSON(lookupLoss(), { version: 2 })));
    expect(v2.version).toBe(2);
    expect(v2.nodes.some((n: { op: string }) => ['Gather', 'ScatterAdd', 'LayerNorm', 'Tanh', 'CrossEntropy'].includes(n.op))).toBe(false);
    const [a, b] = await Promise.all([evaluateReference(lookupLoss(), ok), evaluateReference(graphFromJSON(v2), ok)]);
    expect(b.loss.data[0]).toBeCloseTo(a.loss.data[0], 14);
    const e = sasError(() => graphFromJSON({ ...graphToJSON(lookupLoss()), version: 2 }, 'old.json'));
    expect(e.message).toMatch(/^old\.json: node \d+: op 'Gather' is not in sas-graph version 2 \(it came in version 3\)$/);
  });

  it('refuses a malformed domain: in the builder, on a Param, and in a graph from elsewhere', () => {
    const b = new GraphBuilder('float64');
    expect(sasError(() => b.input('ids', [2], { indexRange: 0 })).message).toBe("Input 'ids': indexRange must be a positive integer, got 0");
    expect(sasError(() => b.input('t', [2], { indexRange: 5, ignoreIndex: 3 })).message).toBe(
      "Input 't': ignoreIndex must be an integer outside [0, 5), got 3",
    );
    const g = lookupLoss();
    const onParam: Graph = { ...g, nodes: g.nodes.map((n) => (n.op === 'Param' ? { ...n, attrs: { ...n.attrs, indexRange: 3 } } : n)) };
    expect(sasError(() => verifyGraph(onParam)).message).toMatch(/^graph node \d+ \(Param\): only an Input may declare an index domain/);
    const fractional: Graph = { ...g, nodes: g.nodes.map((n) => (n.attrs.name === 'ids' ? { ...n, attrs: { ...n.attrs, indexRange: 2.5 } } : n)) };
    expect(sasError(() => verifyGraph(fractional)).message).toBe("graph node 0 (Input) 'ids': indexRange must be a positive integer, got 2.5");
  });
});
