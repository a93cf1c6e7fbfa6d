import ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exp, GraphBuilder, SasError, tensor, type Graph } from '@sas/core';
import { createOnnxBackend, DEFAULT_MAX_SESSIONS } from '@sas/onnx';

/** A distinct graph per n: y = exp(x) with x of shape [n]. */
function expGraph(n: number): Graph {
  const b = new GraphBuilder('float32');
  b.output('y', exp(b.input('x', [n])));
  return b.build();
}

afterEach(() => vi.restoreAllMocks());

describe('ONNX backend: sessions stay bounded', () => {
  it('keeps at most maxSessions open while many distinct graphs run, releasing the evicted ones', async () => {
    const created = vi.spyOn(ort.InferenceSession, 'create');
    // onnxruntime's typings declare InferenceSession as a factory object; at run time it is the class of the sessions create() returns.
    const sessionClass = ort.InferenceSession as unknown as { prototype: { release(): Promise<void> } };
    const released = vi.spyOn(sessionClass.prototype, 'release');
    const backend = await createOnnxBackend({ maxSessions: 4 });
    const before = backend.sessionCount();
    const counts: number[] = [];
    for (let n = 1; n <= 20; n++) {
      const x = Array.from({ length: n }, (_, i) => i / n);
      const out = await backend.run(expGraph(n), { x: tensor(x, [n]) });
      // Each graph really ran (not a stale session of another shape): y = exp(x), element by element.
      expect(Array.from(out.y.data)).toEqual(x.map((v) => expect.closeTo(Math.exp(v), 5)));
      counts.push(backend.sessionCount());
    }
    await new Promise((r) => setTimeout(r, 0));
    expect(before).toBe(0);
    expect(Math.max(...counts)).toBe(4);
    expect(backend.sessionCount()).toBe(4);
    expect(created).toHaveBeenCalledTimes(20);
    expect(released).toHaveBeenCalledTimes(16);
    await backend.dispose();
    expect(backend.sessionCount()).toBe(0);
    expect(released).toHaveBeenCalledTimes(20);
  });

  it('reuses the session of a graph that is run again (no new session while it is cached)', async () => {
    const created = vi.spyOn(ort.InferenceSession, 'create');
    const backend = await createOnnxBackend({ maxSessions: 2 });
    const g = expGraph(3);
    for (let i = 0; i < 5; i++) await backend.run(g, { x: tensor([0, 1, 2], [3]) });
    expect(created).toHaveBeenCalledTimes(1);
    expect(backend.sessionCount()).toBe(1);
    await backend.dispose();
  });

  it(`defaults to ${DEFAULT_MAX_SESSIONS} sessions and refuses a bound below 1`, async () => {
    const backend = await createOnnxBackend();
    for (let n = 1; n <= DEFAULT_MAX_SESSIONS + 3; n++) await backend.run(expGraph(n), { x: tensor(new Array(n).fill(0), [n]) });
    expect(backend.sessionCount()).toBe(DEFAULT_MAX_SESSIONS);
    await backend.dispose();
    const refused = createOnnxBackend({ maxSessions: 0 });
    await expect(refused).rejects.toThrow(SasError);
    await expect(refused).rejects.toThrow("backend 'onnx': option maxSessions must be an integer ≥ 1, got 0");
  });
});

describe('ONNX backend: capacity preflight', () => {
  it('refuses a tensor larger than maxElements before creating a session', async () => {
    const created = vi.spyOn(ort.InferenceSession, 'create');
    const backend = await createOnnxBackend({ maxElements: 100 });
    const b = new GraphBuilder('float32');
    b.output('y', exp(b.input('x', [20, 20])));
    const run = backend.run(b.build(), { x: tensor(new Array(400).fill(0), [20, 20]) });
    await expect(run).rejects.toMatchObject({ code: 'E_BACKEND' });
    await expect(run).rejects.toThrow(
      "backend 'onnx' (cpu): node 0 (Input 'x') of shape [20,20] has 400 elements, more than the 100 one tensor may hold here (refused before allocating; use a smaller seqLen or batch)",
    );
    expect(created).not.toHaveBeenCalled();
    expect(backend.sessionCount()).toBe(0);
    await backend.dispose();
  });
});
