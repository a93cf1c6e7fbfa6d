import { SasError } from '@sas/core';

/** How a character is shown in messages: JSON-quoted (so '\n' and '\t' are visible) with its code point. */
const showChar = (ch: string): string => `${JSON.stringify(ch)} (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;

/**
 * A character-level vocabulary: the distinct characters (Unicode code points)
 * of a text, sorted by code point; a character's id is its index.
 *
 * @example
 * ```ts
 * import { CharVocab } from '@sas/data';
 * const vocab = CharVocab.fromText('hello world');
 * vocab.chars.join('');          // ' dehlorw'
 * vocab.encode('hold');          // Int32Array [4, 5, 4, 1]
 * vocab.decode([4, 5, 4, 1]);    // 'hold'
 * ```
 */
export class CharVocab {
  readonly chars: readonly string[];
  /** Code point → id for the Basic Multilingual Plane (a flat table is what makes encoding 6 M characters quick). */
  private readonly bmp = new Int32Array(0x10000).fill(-1);
  private readonly astral = new Map<number, number>();

  /** A vocabulary of exactly these characters, in this order (each one code point, no repeats). */
  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars) || chars.length === 0) throw new SasError('E_INPUT', 'vocabulary: expected a non-empty array of characters');
    chars.forEach((ch, i) => {
      if (typeof ch !== 'string' || [...ch].length !== 1) throw new SasError('E_INPUT', `vocabulary[${i}]: expected one character, got ${JSON.stringify(ch)}`);
      const cp = ch.codePointAt(0)!;
      if (this.idOf(cp) !== -1) throw new SasError('E_INPUT', `vocabulary[${i}]: ${showChar(ch)} appears twice`);
      if (cp < 0x10000) this.bmp[cp] = i;
      else this.astral.set(cp, i);
    });
    this.chars = [...chars];
  }

  /** The vocabulary of a text: its distinct characters sorted by code point. */
  static fromText(text: string): CharVocab {
    const seen = new Set<number>();
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      seen.add(cp);
      if (cp > 0xffff) i++;
    }
    if (seen.size === 0) throw new SasError('E_INPUT', 'vocabulary: the text is empty');
    return new CharVocab([...seen].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp)));
  }

  /** Number of characters (the model's `vocab`). */
  get size(): number {
    return this.chars.length;
  }

  private idOf(cp: number): number {
    return cp < 0x10000 ? this.bmp[cp] : (this.astral.get(cp) ?? -1);
  }

  /** Ids of a text's characters; a character outside the vocabulary is an `E_INPUT` error naming it and its position. */
  encode(text: string): Int32Array {
    const ids = new Int32Array(text.length);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      const id = this.idOf(cp);
      if (id === -1) {
        const ch = String.fromCodePoint(cp);
        throw new SasError('E_INPUT', `encode: character ${showChar(ch)} at position ${n} is not in the vocabulary (${this.size} characters)`);
      }
      ids[n++] = id;
      if (cp > 0xffff) i++;
    }
    return n === ids.length ? ids : ids.slice(0, n);
  }

  /** The text of a sequence of ids; an id that is not an integer in [0, size) is an `E_INPUT` error naming its position. */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.size)
        throw new SasError('E_INPUT', `decode: ids[${i}] = ${id} is not a character id (integers 0..${this.size - 1})`);
      out += this.chars[id];
    }
    return out;
  }

  /** The characters, index → character (the form checkpoints and MODEL.md's fixtures store). */
  toJSON(): string[] {
    return [...this.chars];
  }
}
