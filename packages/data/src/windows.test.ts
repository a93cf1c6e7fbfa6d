import { describe, expect, it } from 'vitest';
import { evaluationWindows, TextWindowSampler } from './windows.js';

const tokens = Int32Array.from({ length: 500 }, (_, i) => 1000 + i); // distinct, so a window is found by its first id
const shape = { batch: 4, seqLen: 16 };

/** The start of each row, found by searching the token sequence (tokens are unique enough here). */
function rowsAreWindows(ids: Int32Array, targets: Int32Array, seqLen: number): number[] {
  const starts: number[] = [];
  for (let row = 0; row < ids.length / seqLen; row++) {
    const r = [...ids.subarray(row * seqLen, (row + 1) * seqLen)];
    const start = [...tokens.keys()].find((i) => i + seqLen < tokens.length && r.every((x, t) => tokens[i + t] === x));
    expect(start, `row ${row} is a window of the text`).toBeDefined();
    expect([...targets.subarray(row * seqLen, (row + 1) * seqLen)]).toEqual([...tokens.subarray(start! + 1, start! + 1 + seqLen)]);
    starts.push(start!);
  }
  return starts;
}

describe('TextWindowSampler', () => {
  it('draws windows of the text with next-token targets', () => {
    const sampler = new TextWindowSampler(tokens, shape, 3);
    for (let i = 0; i < 5; i++) {
      const b = sampler.next();
      expect([b.batch, b.seqLen, b.ids.length, b.targets.length]).toEqual([4, 16, 64, 64]);
      rowsAreWindows(b.ids, b.targets, 16);
    }
  });

  it('reaches both ends of the text', () => {
    const small = Int32Array.of(0, 1, 2, 3, 4);
    const sampler = new TextWindowSampler(small, { batch: 50, seqLen: 3 }, 1);
    const firsts = new Set<number>();
    const b = sampler.next();
    for (let row = 0; row < 50; row++) firsts.add(b.ids[row * 3]);
    expect([...firsts].sort()).toEqual([0, 1]); // starts 0 and 1: the last window's target is the last token
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = new TextWindowSampler(tokens, shape, 11);
    const b = new TextWindowSampler(tokens, shape, 11);
    const c = new TextWindowSampler(tokens, shape, 12);
    const [x, y, z] = [a.next(), b.next(), c.next()];
    expect(y).toEqual(x);
    expect(z.ids).not.toEqual(x.ids);
  });

  it('resumed from its JSON state, draws the batches an uninterrupted sampler draws', () => {
    const straight = new TextWindowSampler(tokens, shape, 5);
    const expected = Array.from({ length: 10 }, () => straight.next());
    const first = new TextWindowSampler(tokens, shape, 5);
    const got = [first.next(), first.next(), first.next()];
    const saved = JSON.stringify(first.state);
    expect(JSON.parse(saved)).toEqual({ seed: 5, draws: 12 });
    const resumed = new TextWindowSampler(tokens, shape, JSON.parse(saved));
    for (let i = 3; i < 10; i++) got.push(resumed.next());
    expect(got).toEqual(expected);
  });

  it('refuses a text shorter than a window, and bad shapes', () => {
    expect(() => new TextWindowSampler(Int32Array.of(1, 2, 3), { batch: 1, seqLen: 3 }, 1)).toThrow(
      /^text sampler: a window of seqLen 3 needs at least 4 tokens, the text has 3$/,
    );
    expect(() => new TextWindowSampler(tokens, { batch: 0, seqLen: 3 }, 1)).toThrow(/^text sampler: batch: expected a positive integer, got 0$/);
    expect(() => new TextWindowSampler(tokens, { batch: 1, seqLen: 2.5 }, 1)).toThrow(/seqLen: expected a positive integer/);
  });
});

describe('evaluationWindows', () => {
  it('is a fixed set of windows from the first token to the last possible start', () => {
    const sets = evaluationWindows(tokens, shape, 3);
    expect(sets).toEqual(evaluationWindows(tokens, shape, 3));
    expect(sets).toHaveLength(3);
    const starts = sets.flatMap((b) => rowsAreWindows(b.ids, b.targets, 16));
    expect(starts[0]).toBe(0);
    expect(starts.at(-1)).toBe(tokens.length - 17);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThan(starts[i - 1]);
  });

  it('refuses a bad batch count', () => {
    expect(() => evaluationWindows(tokens, shape, 0)).toThrow(/^evaluation windows: batches: expected a positive integer, got 0$/);
  });
});
