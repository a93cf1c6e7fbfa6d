import { randomNormal } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { wrap } from '../handle.js';
import { WasmRuntime } from '../wasm/runtime.js';
import { jsAttention, wasmAttention } from './attention-engine.js';
import { jsGemm } from './gemm.js';
import { rowView } from './rows.js';

describe('attention engines', () => {
  // 2 heads × 70 rows × 8 features: more than one 64-row block, causal.
  const shape = [2, 70, 8];
  const run = (engine: ReturnType<typeof jsAttention>, dtype: 'float32' | 'float64') => {
    const [q, k, v] = [1, 2, 3].map((seed) => {
      const t = randomNormal(shape, seed, dtype);
      return rowView(wrap(t.data, shape));
    });
    const data = dtype === 'float32' ? new Float32Array(2 * 70 * 8) : new Float64Array(2 * 70 * 8);
    engine.forward(q, k, v, rowView(wrap(data, shape)), [2], 0.35, true);
    return data;
  };

  it('the SIMD engine agrees with the JS one on float32 (within rounding) and runs float64 through JS (same bits)', () => {
    const wasm = wasmAttention(new WasmRuntime(), undefined, jsGemm);
    const js = jsAttention(jsGemm);
    expect([wasm.name, js.name]).toEqual(['wasm-simd', 'js']);
    const a = run(wasm, 'float32');
    const b = run(js, 'float32');
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-5);
    expect(Array.from(run(wasm, 'float64'))).toEqual(Array.from(run(js, 'float64')));
  });

  it('only a parallel pool asks for shared float32 outputs', () => {
    expect(jsAttention(jsGemm).sharesOutput('float32')).toBe(false);
    expect(wasmAttention(new WasmRuntime(), undefined, jsGemm).sharesOutput('float32')).toBe(false);
  });
});
