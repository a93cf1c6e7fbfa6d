import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitHeldOut, stripBrownTags } from './brown-format.js';
import { type BrownCorpus, brownCorpusDir, loadBrownCorpus } from './brown.js';

// MODEL.md's trained Brown model (the shared model fixtures, bundled by @sas/conformance): its vocabulary,
// computed by the PyTorch reference, is the oracle for our stripping rule.
const fixture = JSON.parse(readFileSync(resolve(__dirname, '../../conformance/models/generation/gen-sas-brown.json'), 'utf8')) as { vocab: string }; // index → character, as one string

describe('the Brown corpus', () => {
  let brown: BrownCorpus;
  beforeAll(() => {
    brown = loadBrownCorpus();
  });

  it("yields exactly the 84-character vocabulary of MODEL.md's Brown model, in its order", () => {
    expect(brown.vocab.chars).toEqual([...fixture.vocab]);
    expect(brown.vocab.size).toBe(84);
  });

  it('is about 6.14 M characters of untagged text (TOOLCHAIN.md)', () => {
    expect(brown.text.length).toBeGreaterThan(6.135e6);
    expect(brown.text.length).toBeLessThan(6.145e6);
    expect(brown.text).not.toMatch(/[/\t]|\n\n\n| {2}/);
    // ca01's first sentence, read off the tagged file by eye
    expect(
      brown.text.startsWith("The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced `` no evidence '' that"),
    ).toBe(true);
    const raw = readFileSync(join(brownCorpusDir(), 'ca01'), 'utf8');
    expect(raw).toMatch(/^\s*The\/at Fulton\/np-tl County\/nn-tl/);
  });

  it('holds out the last 5% for validation', () => {
    expect(brown.train + brown.validation).toBe(brown.text);
    expect(brown.train.length).toBe(Math.floor(brown.text.length * 0.95));
    expect(brown.validation.length / brown.text.length).toBeCloseTo(0.05, 6);
    expect(brown.text.endsWith(brown.validation)).toBe(true);
    expect(() => brown.vocab.encode(brown.validation)).not.toThrow();
  });

  it('names a directory that is not the corpus', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-brown-'));
    try {
      writeFileSync(join(dir, 'ca01'), 'The/at jury/nn');
      expect(() => loadBrownCorpus(dir)).toThrow(/^brown: .* holds 1 of the corpus' 500 files ca01 … cr09$/);
      expect(() => loadBrownCorpus(join(dir, 'missing'))).toThrow(/^brown: cannot read .*missing \(ENOENT\)$/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('stripBrownTags', () => {
  it('drops every tag from the first slash, keeps sentence and paragraph breaks, drops tabs', () => {
    expect(stripBrownTags('\n\n\tThe/at jury/nn said/vbd ./.\n\n\n\tIt/pps was/bedz 1/2/cd\nmile/nn\n')).toBe('The jury said .\n\nIt was 1\nmile');
  });
});

describe('splitHeldOut', () => {
  it('splits at floor(length·(1 − fraction)) and refuses a fraction outside (0, 1)', () => {
    expect(splitHeldOut('abcdefghij', 0.25)).toEqual({ train: 'abcdefg', validation: 'hij' });
    expect(() => splitHeldOut('abc', 1)).toThrow(/^held-out fraction: expected a number between 0 and 1, got 1$/);
  });
});
