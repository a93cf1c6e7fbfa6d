import { describe, expect, it } from 'vitest';
import { argmax, checkSamplingOptions, sampleToken, seededRandom } from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

/** Frequencies of `draws` samples from `logits` with `options`, seeded. */
function frequencies(logits: number[], options: Parameters<typeof sampleToken>[1], draws: number, seed = 5): number[] {
  const counts = logits.map(() => 0);
  const random = seededRandom(seed);
  for (let i = 0; i < draws; i++) counts[sampleToken(logits, options, random)]++;
  return counts.map((c) => c / draws);
}

const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

describe('sampling', () => {
  it('argmax takes the first of tied maxima', () => {
    expect(argmax([0.1, 2, -1, 2])).toBe(1);
    expect(argmax([-3])).toBe(0);
  });

  it('temperature 0 is argmax whatever topK, topP and the random source', () => {
    const logits = [0.3, -1, 2.5, 2.4, 0];
    for (const options of [{ temperature: 0 }, { temperature: 0, topK: 3 }, { temperature: 0, topP: 0.1 }]) {
      expect(sampleToken(logits, options, () => 0.999)).toBe(2);
    }
  });

  it('draws follow softmax(logits / temperature) (20 000 seeded draws, each frequency within 0.01)', () => {
    const logits = [0, 1, 2, Math.log(0.5), -1];
    for (const temperature of [1, 0.5, 2]) {
      const expected = softmax(logits.map((x) => x / temperature));
      frequencies(logits, { temperature }, 20_000).forEach((f, i) => expect(Math.abs(f - expected[i]), `T=${temperature}, token ${i}`).toBeLessThan(0.01));
    }
  });

  it('topK keeps the k most likely tokens, renormalised; topK 1 is argmax at any temperature', () => {
    const logits = [0, 1, 2, -1];
    const freq = frequencies(logits, { temperature: 1, topK: 2 }, 20_000);
    const kept = softmax([2, 1]);
    expect(freq[0] + freq[3]).toBe(0);
    expect(Math.abs(freq[2] - kept[0])).toBeLessThan(0.01);
    expect(Math.abs(freq[1] - kept[1])).toBeLessThan(0.01);
    for (let seed = 0; seed < 50; seed++) expect(sampleToken(logits, { temperature: 3, topK: 1 }, seededRandom(seed))).toBe(2);
  });

  it('topP keeps the smallest set of most likely tokens whose probability reaches p', () => {
    const logits = [Math.log(0.2), Math.log(0.5), Math.log(0.3)]; // probabilities 0.2, 0.5, 0.3
    const freq = frequencies(logits, { temperature: 1, topP: 0.7 }, 20_000); // 0.5 < 0.7 ≤ 0.5 + 0.3: keeps tokens 1 and 2
    expect(freq[0]).toBe(0);
    expect(Math.abs(freq[1] - 0.5 / 0.8)).toBeLessThan(0.01);
    expect(frequencies(logits, { temperature: 1, topP: 0.4 }, 1000)).toEqual([0, 1, 0]);
    expect(frequencies(logits, { temperature: 1, topP: 1 }, 20_000)[0]).toBeGreaterThan(0.18);
  });

  it('the same seed gives the same draws; other seeds give others', () => {
    const logits = Array.from({ length: 20 }, (_, i) => Math.sin(i));
    const run = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 30 }, () => sampleToken(logits, { temperature: 1.5, topP: 0.95 }, random));
    };
    expect(run(42)).toEqual(run(42));
    expect(run(43)).not.toEqual(run(42));
  });

  it('refuses non-numeric and out-of-range options, and non-finite logits, in one line each', () => {
    const cases: [object, string][] = [
      [{ temperature: -0.5 }, 'temperature: expected a finite number ≥ 0 (0 is greedy), got -0.5'],
      [{ temperature: Number.NaN }, 'temperature: expected a finite number ≥ 0 (0 is greedy), got NaN'],
      [{ temperature: '0.8' }, 'temperature: expected a finite number ≥ 0 (0 is greedy), got "0.8"'],
      [{ topK: 0 }, 'topK: expected an integer in [1, 5] (the vocabulary size), got 0'],
      [{ topK: 2.5 }, 'topK: expected an integer in [1, 5] (the vocabulary size), got 2.5'],
      [{ topK: 6 }, 'topK: expected an integer in [1, 5] (the vocabulary size), got 6'],
      [{ topP: 0 }, 'topP: expected a number in (0, 1], got 0'],
      [{ topP: 1.5 }, 'topP: expected a number in (0, 1], got 1.5'],
      [{ topP: Number.POSITIVE_INFINITY }, 'topP: expected a number in (0, 1], got Infinity'],
    ];
    for (const [options, message] of cases) {
      const e = sasError(() => checkSamplingOptions(options, 5));
      expect([e.code, e.message]).toEqual(['E_INPUT', message]);
    }
    const e = sasError(() => sampleToken([0, Number.NaN, 1], { temperature: 1 }, Math.random));
    expect([e.code, e.message]).toEqual(['E_BACKEND', 'sampling: logit 1 is NaN (the model produced non-finite logits)']);
  });
});
