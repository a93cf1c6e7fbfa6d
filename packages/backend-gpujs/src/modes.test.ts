import { exp, GraphBuilder, SasError, tensor } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend } from './backend.js';
import { explainHeadlessGl, NODE_MODES, pickMode, probeMode } from './env.js';
import { gpujsProvider } from './provider.js';

const expExp = () => {
  const b = new GraphBuilder('float32');
  b.output('y', exp(b.input('x', [3])));
  return b.build();
};

async function rejection(p: Promise<unknown>): Promise<SasError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SasError);
  return e as SasError;
}

describe('gpujs modes', () => {
  it.each(['cpu', 'webasm'])('runs an explicit %s mode and reports it', async (mode) => {
    const backend = await createGpujsBackend({ mode });
    try {
      expect([backend.name, backend.mode, backend.dtypes]).toEqual(['gpujs', mode, ['float32']]);
      const y = await backend.run(expExp(), { x: tensor([0, 1, -1], [3], 'float32') });
      expect(Array.from(y.y.data)).toEqual([expect.closeTo(1, 6), expect.closeTo(Math.E, 5), expect.closeTo(1 / Math.E, 6)]);
    } finally {
      await backend.dispose();
    }
  });

  it('auto-picks the best available Node mode, never one ranked below an available one', async () => {
    const backend = await createGpujsBackend();
    try {
      const picked = backend.mode;
      expect(picked).toBe(await pickMode());
      const rank = NODE_MODES.indexOf(picked as never);
      expect(rank).toBeGreaterThanOrEqual(0);
      for (const better of NODE_MODES.slice(0, rank))
        expect((await probeMode(better)).available, `${better} is available but ${picked} was picked`).toBe(false);
    } finally {
      await backend.dispose();
    }
  });

  it('headlessgl runs when a display and the gl build exist, and otherwise refuses with the reason', async () => {
    const probe = await probeMode('headlessgl');
    if (probe.available) {
      const backend = await createGpujsBackend({ mode: 'headlessgl' });
      expect(backend.mode).toBe('headlessgl');
      await backend.dispose();
    } else {
      const e = await rejection(createGpujsBackend({ mode: 'headlessgl' }));
      expect(e.code).toBe('E_BACKEND');
      expect(e.message).toContain(probe.reason!);
    }
  });

  it('explains a missing display, a missing gl build and a failing context', async () => {
    expect(await explainHeadlessGl(async () => () => null, undefined)).toMatch(/no X display.*xvfb-run -a/);
    expect(await explainHeadlessGl(async () => () => null, ':99')).toMatch(/could not open a GL context on display :99/);
    expect(
      await explainHeadlessGl(async () => {
        throw new Error("Cannot find module 'gl'\nstack");
      }, ':99'),
    ).toMatch(/'gl' is not built \(Cannot find module 'gl'\)/);
    expect(
      await explainHeadlessGl(
        async () => () => {
          throw new Error('bad');
        },
        ':99',
      ),
    ).toMatch(/failed to create a context \(bad\)/);
    expect(await explainHeadlessGl(async () => () => ({ getExtension: () => null }), ':99')).toMatch(/lacks OES_texture_float/);
  });

  it.each([
    ['webgl2', /needs a browser/],
    ['webgl', /needs a browser/],
    ['webgpu', /webgpu is not available in Node/],
    ['metal', /has no mode 'metal'/],
  ])('refuses %s in Node with a reason, never falling back', async (mode, pattern) => {
    const e = await rejection(createGpujsBackend({ mode }));
    expect(e.code).toBe('E_BACKEND');
    expect(e.message).toMatch(pattern);
  });

  it('the provider lists the Node modes best first and holds GL modes to 1e-3, the others to 1e-4', async () => {
    expect(gpujsProvider.name).toBe('gpujs');
    expect(gpujsProvider.modes).toEqual(['headlessgl', 'webasm', 'cpu']);
    expect(gpujsProvider.tolerance('headlessgl')).toMatchObject({ atol: 1e-3, rtol: 1e-3 });
    expect(gpujsProvider.tolerance('webgl2')).toMatchObject({ atol: 1e-3, rtol: 1e-3 });
    expect(gpujsProvider.tolerance('cpu')).toMatchObject({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-4, gradRtol: 1e-4 });
    const backend = await gpujsProvider.create({ mode: 'cpu' });
    expect(backend.mode).toBe('cpu');
    await backend.dispose();
  });

  it('refuses float64 graphs and runs after dispose with clear errors', async () => {
    const backend = await createGpujsBackend({ mode: 'cpu' });
    const b = new GraphBuilder('float64');
    b.output('y', exp(b.input('x', [3])));
    expect((await rejection(backend.run(b.build(), { x: tensor([0, 1, 2], [3]) }))).code).toBe('E_DTYPE');
    await backend.dispose();
    const e = await rejection(backend.run(expExp(), { x: tensor([0, 1, 2], [3], 'float32') }));
    expect([e.code, e.message]).toEqual(['E_BACKEND', expect.stringMatching(/disposed/)]);
  });
});
