// The differential fuzzer builds an op case from any op name, so nothing
// else stops a new primitive from being left out of its draws: this test
// fails until the new op has an arbitrary in arbitraries.ts.

import fc from 'fast-check';
import { OP_NAMES } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { opCaseArbitrary } from './arbitraries.js';

describe('fuzz: op case arbitrary', () => {
  it('draws every primitive op', () => {
    const drawn = new Set(fc.sample(opCaseArbitrary, { seed: 1, numRuns: 1000 }).map((c) => c.op));
    expect(OP_NAMES.filter((op) => !drawn.has(op))).toEqual([]);
  });
});
