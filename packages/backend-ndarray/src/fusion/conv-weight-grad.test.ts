import { describe, expect, it } from 'vitest';
import {
  buildLayer,
  conv1d,
  evaluateReference,
  grad,
  GraphBuilder,
  layerParams,
  mul,
  randomNormal,
  reduceSum,
  relu,
  withCotangentLoss,
  type Graph,
  leafName,
} from '@sas/core';
import { createNdarrayBackend } from '../index.js';
import { expectClose } from '../test/helpers.js';
import { NDARRAY_TOLERANCE } from '../tolerance.js';
import { ThreadPool } from '../threads/pool.js';
import { threadedConvWeightGrad } from '../threads/conv.js';
import { wrap } from '../handle.js';
import { WasmRuntime } from '../wasm/runtime.js';
import { wasmConvWeightGrad } from '../wasm/conv-weight-grad.js';
import { planFusion } from './plan.js';

/** ∂Σ(conv(x, w)·c)/∂w and /∂x for one conv shape. */
function convGradient(n: number, channels: number, length: number, outChannels: number, k: number, pad: number, reluInput = false): Graph {
  const b = new GraphBuilder('float32');
  const x = b.input('x', [n, channels, length]);
  const y = conv1d(reluInput ? relu(x) : x, b.param('w', [outChannels, channels, k]), pad);
  b.output('loss', reduceSum(mul(y, b.input('c', y.shape)), [0, 1, 2]));
  return grad(b.build(), 'loss', { wrt: ['w', 'x'] });
}

const weightGrads = (g: Graph) => [...planFusion(g).entries()].filter(([, r]) => r.kind === 'conv-weight-grad');

describe('Conv1d weight gradient from x and g as they lie', () => {
  it('is planned for every conv of a SAS layer gradient (q, k, v: two each)', () => {
    const config = { kind: 'sas', batch: 1, seqLen: 6, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
    const g = grad(withCotangentLoss(buildLayer(config), 'output'), 'loss', { wrt: ['query', 'key', 'value', ...layerParams(config).map((p) => p.name)] });
    expect(weightGrads(g).length).toBe(g.nodes.filter((n) => n.op === 'Param' && n.shape.length === 3).length);
    expect(weightGrads(g).length).toBe(6);
    // Every activation is read through relu by its readers, so none is stored.
    expect(g.nodes.filter((n) => n.op === 'Relu').every((n) => planFusion(g).get(n)?.kind === 'defer')).toBe(true);
  });

  // Channel counts off the kernel's tiles (2 rows, 4 columns), Lout off 4, pad 0 (no padding) and k = 5.
  const shapes = [
    { n: 7, channels: 5, length: 13, outChannels: 3, k: 3, pad: 1 },
    // x through a deferred Relu (read by the conv, the weight gradient and the gate): relu while staging.
    { n: 30, channels: 6, length: 16, outChannels: 8, k: 3, pad: 1, relu: true },
    { n: 40, channels: 24, length: 64, outChannels: 24, k: 3, pad: 1 },
    { n: 9, channels: 3, length: 11, outChannels: 6, k: 5, pad: 0 },
    { n: 4, channels: 12, length: 10, outChannels: 24, k: 5, pad: 2 },
  ];
  for (const s of shapes) {
    for (const threads of [1, 2]) {
      it(`N=${s.n} C=${s.channels} L=${s.length} O=${s.outChannels} k=${s.k} pad=${s.pad}${s.relu ? ', relu(x)' : ''}, ${threads} thread(s): matches the reference`, async () => {
        const g = convGradient(s.n, s.channels, s.length, s.outChannels, s.k, s.pad, s.relu);
        expect(weightGrads(g).length).toBe(1);
        if (s.relu) expect(planFusion(g).get(g.nodes.find((n) => n.op === 'Relu')!)?.kind).toBe('defer');
        const feeds = Object.fromEntries(
          g.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map((n, i) => [leafName(n), randomNormal(n.shape, i + 3, 'float32')]),
        );
        const backend = createNdarrayBackend({ threads });
        try {
          const [ours, ref] = await Promise.all([backend.run(g, feeds), evaluateReference(g, feeds)]);
          for (const name of ['grad.w', 'grad.x']) expectClose(ours[name], ref[name], NDARRAY_TOLERANCE.gradAtol, NDARRAY_TOLERANCE.gradRtol, name);
        } finally {
          await backend.dispose();
        }
      });
    }
  }

  it('threads give the same bits as one thread (rows of dw shared out), within tolerance of the reference', async () => {
    // 128·26·24·64·3 = 15 M multiply-adds: over the threading floor (2^23).
    const [n, channels, length, outChannels, pad] = [128, 26, 64, 24, 1];
    const x = wrap(Float32Array.from(randomNormal([n * channels * length], 1).data), [n, channels, length]);
    const gv = wrap(Float32Array.from(randomNormal([n * outChannels * length], 2).data), [n, outChannels, length]);
    const want = new Float32Array(channels * outChannels * 3);
    wasmConvWeightGrad(new WasmRuntime(), x.data as Float32Array, x.shape, gv.data as Float32Array, gv.shape, pad, want);
    const pool = new ThreadPool(2);
    const got = wrap(new Float32Array(want.length), [channels, outChannels, 3]);
    threadedConvWeightGrad(pool, new WasmRuntime(), x, gv, pad, got);
    await pool.dispose();
    expect(Array.from(got.data)).toEqual(Array.from(want));
    expect(want.some((v) => v !== 0)).toBe(true);
    // The float64 reference's ∂Σ(conv(x, w)·g)/∂w, laid out [O, C, k]; the kernel writes [C, O, k].
    const g = convGradient(n, channels, length, outChannels, 3, pad);
    const ref = await evaluateReference(g, {
      x: { dtype: 'float32', shape: [n, channels, length], data: x.data as Float32Array },
      c: { dtype: 'float32', shape: [n, outChannels, length], data: gv.data as Float32Array },
      w: randomNormal([outChannels, channels, 3], 3, 'float32'),
    });
    const dw = ref['grad.w'].data;
    const transposed = new Float64Array(want.length);
    for (let c = 0; c < channels; c++)
      for (let o = 0; o < outChannels; o++) for (let t = 0; t < 3; t++) transposed[(c * outChannels + o) * 3 + t] = dw[(o * channels + c) * 3 + t];
    expectClose(
      { dtype: 'float32', shape: [channels, outChannels, 3], data: want },
      { dtype: 'float32', shape: [channels, outChannels, 3], data: Float32Array.from(transposed) },
      NDARRAY_TOLERANCE.gradAtol,
      NDARRAY_TOLERANCE.gradRtol,
      'dw',
    );
  });
});
