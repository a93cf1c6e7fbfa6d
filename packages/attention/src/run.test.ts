import { afterAll, describe, expect, it } from 'vitest';
import {
  BACKEND_NAMES,
  buildLayer,
  createBackend,
  disposeDefaultBackend,
  evaluateReference,
  initParams,
  loadProvider,
  randomNormal,
  runGraph,
  SasError,
} from '@sas/attention';
import { compareTensors } from '@sas/conformance';

afterAll(disposeDefaultBackend);

describe('@sas/attention', () => {
  it('knows every built-in backend by name', () => {
    expect(BACKEND_NAMES).toEqual(['reference', 'ndarray', 'tfjs', 'gpujs', 'onnx']);
  });

  it('runGraph runs on the default CPU backend and agrees with the reference', async () => {
    const config = { kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
    const feeds = { ...initParams(config, 7), query: randomNormal([1, 8, 2, 4], 1), key: randomNormal([1, 8, 2, 4], 2), value: randomNormal([1, 8, 2, 4], 3) };
    const graph = buildLayer(config);
    const { output } = await runGraph(graph, feeds, { outputs: ['output'] });
    const expected = await evaluateReference(graph, feeds, { outputs: ['output'] });
    expect(compareTensors('output', output, expected.output, 1e-5, 1e-5).passed).toBe(true);
  });

  it('names the known backends when asked for an unknown one', async () => {
    await expect(createBackend('cuda')).rejects.toThrow(SasError);
    await expect(createBackend('cuda')).rejects.toThrow(/unknown backend 'cuda' \(known: reference, ndarray, tfjs, gpujs, onnx\)/);
  });

  it('loads every built-in backend from its package (all are installed in this monorepo)', async () => {
    for (const name of BACKEND_NAMES) expect((await loadProvider(name)).name).toBe(name);
  });
});
