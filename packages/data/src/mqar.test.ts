import { describe, expect, it } from 'vitest';
import { IGNORE_TARGET, splitBatch, type TokenBatch } from './batch.js';
import { type MqarConfig, MqarSampler, mqarEvaluationSet, mqarSeqLen, mqarVocabSize } from './mqar.js';

const standard = { pairs: 6, keys: 10, values: 12 };
const config = standard;

/** Checks every sequence of a batch against the MQAR definition; returns the sequences as strings. */
function checkStructure(b: TokenBatch, config: MqarConfig = standard): string[] {
  const n = config.pairs;
  expect(b.seqLen).toBe(3 * n);
  const seqs: string[] = [];
  for (let row = 0; row < b.batch; row++) {
    const ids = [...b.ids.subarray(row * b.seqLen, (row + 1) * b.seqLen)];
    const targets = [...b.targets.subarray(row * b.seqLen, (row + 1) * b.seqLen)];
    const keys = ids.filter((_, i) => i < 2 * n && i % 2 === 0);
    const values = ids.filter((_, i) => i < 2 * n && i % 2 === 1);
    const queries = ids.slice(2 * n);
    for (const k of keys) expect(k >= 0 && k < config.keys, `key ${k}`).toBe(true);
    for (const v of values) expect(v >= config.keys && v < config.keys + config.values, `value ${v}`).toBe(true);
    expect(new Set(keys).size, 'keys distinct within a sequence').toBe(n);
    expect(new Set(values).size, 'values distinct within a sequence').toBe(n);
    expect([...queries].sort(), 'queries are the keys again').toEqual([...keys].sort());
    const pairedValue = new Map(keys.map((k, i) => [k, values[i]]));
    expect(
      targets.slice(0, 2 * n).every((t) => t === IGNORE_TARGET),
      '-100 on the pairs',
    ).toBe(true);
    expect(targets.slice(2 * n), 'each query asks its value').toEqual(queries.map((q) => pairedValue.get(q)));
    seqs.push(ids.join(','));
  }
  return seqs;
}

describe('MQAR', () => {
  it('sizes: vocabulary keys + values, sequence 3N', () => {
    expect(mqarVocabSize(config)).toBe(22);
    expect(mqarSeqLen(config)).toBe(18);
  });

  it('builds sequences of distinct keys, their values, and the keys again shuffled with their values as targets', () => {
    const sampler = new MqarSampler(config, 16, 1);
    const seqs = [...checkStructure(sampler.next()), ...checkStructure(sampler.next())];
    expect(new Set(seqs).size).toBe(32); // fresh sequences, not one repeated
    // the query order is shuffled, not the pair order: some sequence asks its keys in another order
    const b = new MqarSampler(config, 16, 2).next();
    const inOrder = (row: number) => [0, 1, 2, 3, 4, 5].every((i) => b.ids[row * 18 + 12 + i] === b.ids[row * 18 + 2 * i]);
    expect(Array.from({ length: 16 }, (_, r) => inOrder(r)).filter((x) => !x).length).toBeGreaterThan(10);
  });

  it('works at the edge: as many pairs as keys and values', () => {
    const tight = { pairs: 6, keys: 6, values: 6 };
    checkStructure(new MqarSampler(tight, 4, 3).next(), tight);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(new MqarSampler(config, 8, 4).next()).toEqual(new MqarSampler(config, 8, 4).next());
    expect(new MqarSampler(config, 8, 5).next().ids).not.toEqual(new MqarSampler(config, 8, 4).next().ids);
  });

  it('resumed from its JSON state, draws the batches an uninterrupted sampler draws', () => {
    const straight = new MqarSampler(config, 8, 9);
    const expected = Array.from({ length: 6 }, () => straight.next());
    const first = new MqarSampler(config, 8, 9);
    const got = [first.next(), first.next()];
    const saved = JSON.stringify(first.state);
    expect(JSON.parse(saved)).toEqual({ seed: 9, draws: 2 * 8 * (3 * 6 - 1) });
    const resumed = new MqarSampler(config, 8, JSON.parse(saved));
    for (let i = 2; i < 6; i++) got.push(resumed.next());
    expect(got).toEqual(expected);
  });

  it('has a fixed evaluation set per seed that the training stream does not draw', () => {
    const evalSet = mqarEvaluationSet(config, 9, 64);
    expect(evalSet).toEqual(mqarEvaluationSet(config, 9, 64));
    const evalSeqs = new Set(checkStructure(evalSet));
    expect(mqarEvaluationSet(config, 10, 64).ids).not.toEqual(evalSet.ids);
    const train = new MqarSampler(config, 64, 9);
    const trainSeqs = [...checkStructure(train.next()), ...checkStructure(train.next())];
    // A few coincidences are possible by chance; the same stream would make every one equal.
    expect(trainSeqs.filter((s) => evalSeqs.has(s)).length).toBeLessThan(3);
    expect(splitBatch(evalSet, 24).map((b) => b.batch)).toEqual([24, 24, 16]);
  });

  it('refuses impossible configurations in one line', () => {
    expect(() => new MqarSampler({ pairs: 8, keys: 4, values: 64 }, 1, 1)).toThrow(/^mqar: 8 pairs need at least 8 distinct keys, got keys 4$/);
    expect(() => new MqarSampler({ pairs: 8, keys: 64, values: 7 }, 1, 1)).toThrow(/^mqar: 8 pairs need at least 8 distinct values, got values 7$/);
    expect(() => new MqarSampler({ pairs: 0, keys: 4, values: 4 }, 1, 1)).toThrow(/^mqar: pairs: expected a positive integer, got 0$/);
    expect(() => new MqarSampler(config, 0, 1)).toThrow(/^mqar: batch: expected a positive integer, got 0$/);
    expect(() => mqarEvaluationSet(config, -3, 4)).toThrow(/^mqar: seed: expected an integer 0\.\.2\^32-1, got -3$/);
    expect(() => new MqarSampler(config, 1, { seed: 1, draws: 2 ** 31 + 1 })).toThrow(/past this stream's end/);
  });
});
