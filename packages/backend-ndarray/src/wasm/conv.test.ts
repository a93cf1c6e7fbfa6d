import { describe, expect, it } from 'vitest';
import { conv1d, evaluateReference, GraphBuilder, relu, seededRandom, tensor } from '@sas/core';
import { wrap } from '../handle.js';
import { wasmConv1d } from './conv.js';
import { WasmRuntime } from './runtime.js';

function random(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

// The staged conv adds its epilogue in the heap (row bias in the product block, addends after the gather):
// the same float32 sums in the same order as storeRows, so it must equal the plain conv with those sums
// done here one element at a time, bit for bit. Cases: several chunks (1600 samples), one product per
// sample (a long kernel), SAS's head-axis shape, relu on x, an x that is a view into a larger array.
const CASES: { x: [number, number, number]; w: [number, number, number]; pad: number; reluX?: boolean }[] = [
  { x: [1600, 5, 9], w: [7, 5, 3], pad: 1 },
  { x: [3, 4, 20], w: [2, 4, 18], pad: 0 },
  { x: [64, 4, 32], w: [8, 4, 3], pad: 1, reluX: true },
  { x: [5, 3, 7], w: [6, 3, 5], pad: 2 },
];

describe('wasmConv1d: epilogue and layout in the heap', () => {
  for (const [i, { x: xs, w: ws, pad, reluX = false }] of CASES.entries()) {
    it(`x ${xs.join('×')}, w ${ws.join('×')}, pad ${pad}${reluX ? ', relu on x' : ''}: row bias and two addends give the bits of the sums done one by one`, async () => {
      const [n, c, l] = xs;
      const [o, , k] = ws;
      const lOut = l + 2 * pad - k + 1;
      const size = n * o * lOut;
      const xData = random(3 + n * c * l, 10 + i).subarray(3);
      const w = wrap(random(o * c * k, 20 + i), ws);
      const rowBias = random(o + 1, 30 + i);
      const adds = [random(size + 2, 40 + i), random(size, 50 + i)];
      const rt = new WasmRuntime();
      const plain = wrap(new Float32Array(size), [n, o, lOut]);
      wasmConv1d(rt, wrap(xData, xs), w, pad, plain, undefined, reluX);
      const fused = wrap(new Float32Array(size), [n, o, lOut]);
      const ep = {
        rowBias: { data: rowBias, off: 1 },
        addends: [
          { data: adds[0], off: 2 },
          { data: adds[1], off: 0 },
        ],
      };
      wasmConv1d(rt, wrap(xData, xs), w, pad, fused, ep, reluX);
      const want = new Float32Array(size);
      for (let s = 0; s < n; s++)
        for (let ch = 0; ch < o; ch++)
          for (let j = 0; j < lOut; j++) {
            const at = (s * o + ch) * lOut + j;
            want[at] = plain.data[at] + rowBias[1 + ch];
            want[at] += adds[0][2 + at];
            want[at] += adds[1][at];
          }
      expect(Buffer.from(fused.data.buffer).equals(Buffer.from(want.buffer))).toBe(true);
      // The plain conv against core's float64 reference interpreter (relu on x where asked): the layout moves lost nothing.
      const b = new GraphBuilder('float64');
      const xIn = b.input('x', xs);
      b.output('y', conv1d(reluX ? relu(xIn) : xIn, b.input('w', ws), pad));
      const feeds = { x: tensor(Float64Array.from(xData), xs), w: tensor(Float64Array.from(w.data), ws) };
      const want64 = (await evaluateReference(b.build(), feeds)).y.data;
      let worst = 0;
      for (let at = 0; at < size; at++) worst = Math.max(worst, Math.abs(plain.data[at] - want64[at]) / (1 + Math.abs(want64[at])));
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
