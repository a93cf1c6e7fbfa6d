import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../ir/builder.js';
import { exp } from '../ops/Exp.js';
import type { RefTensor } from '../ops/op.js';
import { REFERENCE_KERNELS } from '../reference/interpreter.js';
import type { SasError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { createKernelBackend } from './kernel-backend.js';
import { mapKernels } from './kernel-table.js';
import { checkCapacity, checkFeedDtypes } from './preflight.js';
import { DEFAULT_MAX_ELEMENTS, type GraphContext } from './types.js';

function graphOf(shape: number[]) {
  const b = new GraphBuilder('float64');
  b.output('y', exp(b.input('x', shape)));
  return b.build();
}

function thrown(f: () => unknown): SasError {
  try {
    f();
  } catch (e) {
    return e as SasError;
  }
  throw new Error('nothing thrown');
}

describe('checkCapacity', () => {
  it('names the first node over the limit, its shape and the limit', () => {
    const e = thrown(() => checkCapacity(graphOf([3, 4]), [0, 1], 10, "'toy' (cpu)"));
    expect(e.code).toBe('E_BACKEND');
    expect(e.message).toBe(
      "backend 'toy' (cpu): node 0 (Input 'x') of shape [3,4] has 12 elements, more than the 10 one tensor may hold here (refused before allocating; use a smaller seqLen or batch)",
    );
  });

  it('passes tensors at the limit and ignores nodes outside the plan', () => {
    expect(() => checkCapacity(graphOf([2, 5]), [0, 1], 10, 'x')).not.toThrow();
    expect(() => checkCapacity(graphOf([3, 4]), [], 10, 'x')).not.toThrow();
  });

  it('is 2^31 − 1 by default in kernel backends, checked before any upload or kernel', async () => {
    expect(DEFAULT_MAX_ELEMENTS).toBe(2 ** 31 - 1);
    const calls: string[] = [];
    const backend = createKernelBackend<Tensor, void>({
      name: 'spy',
      mode: 'cpu',
      dtypes: ['float64'],
      kernels: mapKernels<RefTensor, GraphContext, Tensor, void>(REFERENCE_KERNELS, (op) => (inputs) => (calls.push(op), inputs[0])),
      context: () => undefined,
      upload: (t) => (calls.push('upload'), t),
      download: (h) => h,
      release: () => {},
    });
    // A [2^16, 2^16] broadcast of a scalar: 2^32 elements, refused without allocating them.
    const b = new GraphBuilder('float64');
    b.output('y', exp(b.apply('BroadcastTo', [b.input('x', [1, 1])], { shape: [2 ** 16, 2 ** 16] })));
    await expect(backend.run(b.build(), { x: { dtype: 'float64', shape: [1, 1], data: new Float64Array(1) } })).rejects.toThrow(
      /node 1 \(BroadcastTo\) of shape \[65536,65536\] has 4294967296 elements, more than the 2147483647/,
    );
    expect(calls).toEqual([]);
  });
});

describe('checkFeedDtypes', () => {
  const g = graphOf([2]);
  const leaf = [g.nodes[0]];
  it('accepts matching or absent dtype labels', () => {
    expect(() => checkFeedDtypes(leaf, { x: { dtype: 'float32', shape: [2], data: new Float32Array(2) } })).not.toThrow();
    expect(() => checkFeedDtypes(leaf, { x: { shape: [2], data: new Float64Array(2) } as unknown as Tensor })).not.toThrow();
  });
  it('refuses an unknown label and a label that contradicts the data', () => {
    const unknown = thrown(() => checkFeedDtypes(leaf, { x: { dtype: 'bfloat16', shape: [2], data: new Float32Array(2) } as unknown as Tensor }));
    expect([unknown.code, unknown.message]).toEqual(['E_DTYPE', `feed 'x': dtype must be 'float32' or 'float64', got "bfloat16"`]);
    const lying = thrown(() => checkFeedDtypes(leaf, { x: { dtype: 'float64', shape: [2], data: new Float32Array(2) } }));
    expect([lying.code, lying.message]).toEqual(['E_DTYPE', "feed 'x': dtype says 'float64' but data is a Float32Array"]);
  });
});
