import { SasError } from '@sas/core';
import { describe, expect, it } from 'vitest';
import { CharVocab } from './vocab.js';

describe('CharVocab', () => {
  it('is the sorted distinct characters of a text, and encode/decode invert each other', () => {
    const text = 'banana bread\nand tea!';
    const vocab = CharVocab.fromText(text);
    expect(vocab.chars).toEqual([...new Set(text)].sort());
    const ids = vocab.encode(text);
    expect([...ids]).toEqual([...text].map((ch) => vocab.chars.indexOf(ch)));
    expect(vocab.decode(ids)).toBe(text);
    expect(JSON.parse(JSON.stringify(vocab))).toEqual(vocab.chars);
  });

  it('counts characters as code points, so an emoji is one character and one id', () => {
    const text = 'a😀b😀';
    const vocab = CharVocab.fromText(text);
    expect(vocab.size).toBe(3);
    expect(vocab.encode(text)).toHaveLength(4);
    expect(vocab.decode(vocab.encode(text))).toBe(text);
  });

  it('names an unknown character and its position', () => {
    const vocab = CharVocab.fromText('abc ');
    expect(() => vocab.encode('ab c\tb')).toThrow(/^encode: character "\\t" \(U\+0009\) at position 4 is not in the vocabulary \(4 characters\)$/);
    expect(() => CharVocab.fromText('😀a').encode('😀aé')).toThrow(/character "é" \(U\+00E9\) at position 2 /); // positions count characters, not UTF-16 units
    const error = (() => {
      try {
        vocab.encode('z');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SasError);
    expect((error as SasError).code).toBe('E_INPUT');
  });

  it('refuses ids that are not character ids, naming the position', () => {
    const vocab = CharVocab.fromText('abc');
    expect(() => vocab.decode([0, 3])).toThrow(/^decode: ids\[1\] = 3 is not a character id \(integers 0\.\.2\)$/);
    expect(() => vocab.decode([0.5])).toThrow(/ids\[0\] = 0.5/);
    expect(() => vocab.decode([-1])).toThrow(/ids\[0\] = -1/);
  });

  it('refuses a malformed character list', () => {
    expect(() => new CharVocab(['a', 'b', 'a'])).toThrow(/^vocabulary\[2\]: "a" \(U\+0061\) appears twice$/);
    expect(() => new CharVocab(['a', 'bc'])).toThrow(/^vocabulary\[1\]: expected one character, got "bc"$/);
    expect(() => new CharVocab([])).toThrow(/non-empty/);
    expect(() => CharVocab.fromText('')).toThrow(/empty/);
  });
});
