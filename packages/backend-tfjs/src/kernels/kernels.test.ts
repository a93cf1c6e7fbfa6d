import * as tf from '@tensorflow/tfjs-core';
import { evaluateReference, OP_NAMES } from '@sas/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTfjsBackend, type TfjsBackend } from '../backend.js';
import { TFJS_KERNELS } from './index.js';
import { mismatches } from '../test-support/compare.js';
import { NODE_TEST_MODES } from '../test-support/modes.js';
import { edgeCases, opCases } from '../test-support/op-cases.js';

// float32 arithmetic against the float64 oracle on the same float32 inputs:
// a few ulps, far inside the backend's forward tolerance.
const ATOL = 1e-5;
const RTOL = 1e-5;

it('has a kernel for every core op', () => {
  expect(OP_NAMES.filter((op) => !(op in TFJS_KERNELS))).toEqual([]);
});

it('has a case for every core op (a case is named after its op)', () => {
  const names = opCases().map((c) => c.name);
  expect(OP_NAMES.filter((op) => !names.some((name) => name.startsWith(`${op} `)))).toEqual([]);
});

describe.each(NODE_TEST_MODES)('kernels on tfjs %s', (mode) => {
  let backend: TfjsBackend;
  beforeAll(async () => {
    backend = await createTfjsBackend({ mode });
  });

  it.each(opCases().map((c) => [c.name, c] as const))('%s matches the reference', async (_name, c) => {
    expect(tf.getBackend()).toBe(mode);
    const actual = await backend.run(c.graph, c.feeds);
    const expected = await evaluateReference(c.graph, c.feeds);
    expect(actual.y.shape).toEqual(expected.y.shape);
    expect(actual.y.dtype).toBe('float32');
    expect(mismatches(actual.y, expected.y, ATOL, RTOL).slice(0, 5)).toEqual([]);
    expect(backend.liveHandles()).toBe(0);
  });

  // Non-finite edge semantics: NaN and ±Inf must come out as the reference says.
  it.each(edgeCases().map((c) => [c.name, c] as const))('%s keeps the reference semantics on NaN/±Inf', async (_name, c) => {
    const actual = await backend.run(c.graph, c.feeds, { nonFinite: 'allow' });
    const expected = await evaluateReference(c.graph, c.feeds, { nonFinite: 'allow' });
    expect(mismatches(actual.y, expected.y, ATOL, RTOL)).toEqual([]);
  });
});
