import { seededRandom } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { SeededStream } from './stream.js';

describe('SeededStream', () => {
  it("draws core's seededRandom sequence for its seed", () => {
    const rand = seededRandom(1234);
    const stream = new SeededStream(1234);
    for (let i = 0; i < 100; i++) expect(stream.next()).toBe(rand());
  });

  it('resumed from its JSON state, continues exactly as replaying the draws would (the O(1) jump equals the replay)', () => {
    for (const [seed, draws] of [
      [0, 0],
      [7, 1],
      [4294967295, 12345],
    ]) {
      const replay = seededRandom(seed);
      for (let i = 0; i < draws; i++) replay();
      const resumed = new SeededStream(JSON.parse(JSON.stringify({ seed, draws })));
      for (let i = 0; i < 20; i++) expect(resumed.next()).toBe(replay());
    }
  });

  it('jumps correctly past 2^31 draws, where the position no longer fits an int32', () => {
    const early = new SeededStream({ seed: 99, draws: 2 ** 31 - 500 });
    for (let i = 0; i < 1000; i++) early.next();
    const late = new SeededStream({ seed: 99, draws: 2 ** 31 + 500 });
    for (let i = 0; i < 20; i++) expect(late.next()).toBe(early.next());
  });

  it('reports its position and stops at its limit', () => {
    const s = new SeededStream({ seed: 3, draws: 5 }, 7);
    expect(s.state).toEqual({ seed: 3, draws: 5 });
    s.next();
    s.next();
    expect(s.state).toEqual({ seed: 3, draws: 7 });
    expect(() => s.next()).toThrow(/exhausted after 7 draws/);
    expect(() => new SeededStream({ seed: 3, draws: 8 }, 7)).toThrow(/past this stream's end/);
  });

  it('draws integers below n', () => {
    const s = new SeededStream(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(s.below(6));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses malformed seeds and states in one line', () => {
    expect(() => new SeededStream(-1)).toThrow(/^seed: expected an integer 0\.\.2\^32-1, got -1$/);
    expect(() => new SeededStream(1.5)).toThrow(/seed: expected an integer/);
    expect(() => new SeededStream({ seed: 1, draws: -2 })).toThrow(/^stream state: expected \{"seed": .*got \{"seed":1,"draws":-2\}$/);
    expect(() => new SeededStream({ seed: 1 } as never)).toThrow(/stream state/);
  });
});
