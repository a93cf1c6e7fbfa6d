import { describe, expect, it } from 'vitest';
import { createKernelBackend, exp, GraphBuilder, REFERENCE_KERNELS, tensor, type GraphContext, type RefTensor } from '@sas/core';

/** A reference-kernel backend that records how many runs are between `context` and `endRun`. */
function recordingBackend(oneRunAtATime: boolean) {
  const seen = { inside: 0, most: 0, ended: 0 };
  const backend = createKernelBackend<RefTensor, GraphContext>({
    name: 'rec',
    mode: 'cpu',
    dtypes: ['float64'],
    kernels: REFERENCE_KERNELS,
    context: (graph) => {
      seen.inside++;
      seen.most = Math.max(seen.most, seen.inside);
      return { graph };
    },
    upload: (t) => ({ shape: t.shape, data: Float64Array.from(t.data) }),
    // Asynchronous, as a GPU read-back is: another run could start meanwhile.
    download: async (h, node) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { dtype: node.dtype, shape: node.shape, data: h.data };
    },
    release: () => {},
    endRun: () => {
      if (seen.inside > 0) seen.inside--;
      seen.ended++;
    },
    oneRunAtATime,
  });
  return { backend, seen };
}

describe('createKernelBackend run lifecycle', () => {
  const b = new GraphBuilder('float64');
  b.output('y', exp(b.input('x', [2])));
  const graph = b.build();
  const x = tensor([0, 1], [2], 'float64');

  it('with oneRunAtATime, concurrent runs never overlap between context and endRun', async () => {
    const { backend, seen } = recordingBackend(true);
    const results = await Promise.all([backend.run(graph, { x }), backend.run(graph, { x }), backend.run(graph, { x })]);
    expect(results.map((r) => Array.from(r.y.data))).toEqual(Array(3).fill([1, Math.E]));
    expect(seen).toEqual({ inside: 0, most: 1, ended: 3 });
  });

  it('without it they do overlap (so the option is what serialises them)', async () => {
    const { backend, seen } = recordingBackend(false);
    await Promise.all([backend.run(graph, { x }), backend.run(graph, { x })]);
    expect(seen.most).toBe(2);
  });

  it('calls endRun after a failed run too, and the next run still starts', async () => {
    const { backend, seen } = recordingBackend(true);
    await expect(backend.run(graph, {})).rejects.toThrow(/x/);
    expect((await backend.run(graph, { x })).y.data[1]).toBe(Math.E);
    expect(seen.ended).toBe(2);
  });
});
