import { SasError } from '@sas/core';
import { checkPositiveInt, type TokenBatch } from './batch.js';
import { SeededStream, type StreamState } from './stream.js';

/** Batch size and sequence length of the windows a sampler cuts. */
export interface WindowShape {
  readonly batch: number;
  readonly seqLen: number;
}

function checkWindows(tokens: ArrayLike<number>, shape: WindowShape, what: string): void {
  checkPositiveInt(shape.batch, `${what}: batch`);
  checkPositiveInt(shape.seqLen, `${what}: seqLen`);
  if (tokens.length < shape.seqLen + 1)
    throw new SasError('E_INPUT', `${what}: a window of seqLen ${shape.seqLen} needs at least ${shape.seqLen + 1} tokens, the text has ${tokens.length}`);
}

/** Copies the window starting at `start` into row `row`: ids = tokens[start, start+T), targets = tokens[start+1, start+T]. */
function fillWindow(tokens: ArrayLike<number>, start: number, seqLen: number, row: number, ids: Int32Array, targets: Int32Array): void {
  const base = row * seqLen;
  for (let t = 0; t < seqLen; t++) {
    ids[base + t] = tokens[start + t];
    targets[base + t] = tokens[start + t + 1];
  }
}

/**
 * Draws language-model batches from a token sequence: each row a window at a
 * uniformly random start i, ids = tokens[i..i+T), targets = tokens[i+1..i+T]
 * (the next token at every position). One draw of the seeded stream per row,
 * so `state` (seed and draws) resumes it exactly.
 *
 * @example
 * ```ts
 * import { CharVocab, TextWindowSampler } from '@sas/data';
 * const vocab = CharVocab.fromText('the quick brown fox');
 * const sampler = new TextWindowSampler(vocab.encode('the quick brown fox'), { batch: 2, seqLen: 4 }, 1);
 * const { ids, targets } = sampler.next();       // ids.length === 8
 * const again = new TextWindowSampler(vocab.encode('the quick brown fox'), { batch: 2, seqLen: 4 }, sampler.state);
 * // again.next() is the batch sampler.next() would have drawn
 * ```
 */
export class TextWindowSampler {
  private readonly stream: SeededStream;

  constructor(
    private readonly tokens: ArrayLike<number>,
    private readonly shape: WindowShape,
    start: StreamState | number,
  ) {
    checkWindows(tokens, shape, 'text sampler');
    this.stream = new SeededStream(start);
  }

  /** The position to save; a sampler built with it draws the batches this one would draw next. */
  get state(): StreamState {
    return this.stream.state;
  }

  /** The next batch. */
  next(): TokenBatch {
    const { batch, seqLen } = this.shape;
    const ids = new Int32Array(batch * seqLen);
    const targets = new Int32Array(batch * seqLen);
    const starts = this.tokens.length - seqLen; // valid starts: 0 .. N−T−1
    for (let row = 0; row < batch; row++) fillWindow(this.tokens, this.stream.below(starts), seqLen, row, ids, targets);
    return { batch, seqLen, ids, targets };
  }
}

/**
 * A fixed evaluation set over held-out tokens: `batches` batches whose
 * windows start evenly spaced from the first token to the last possible
 * start, so every evaluation of a run (and of every run) sees the same text.
 *
 * @example
 * ```ts
 * import { evaluationWindows } from '@sas/data';
 * const held = Int32Array.from({ length: 100 }, (_, i) => i % 7);
 * evaluationWindows(held, { batch: 4, seqLen: 8 }, 2).length; // 2
 * ```
 */
export function evaluationWindows(tokens: ArrayLike<number>, shape: WindowShape, batches: number): TokenBatch[] {
  checkWindows(tokens, shape, 'evaluation windows');
  checkPositiveInt(batches, 'evaluation windows: batches');
  const { batch, seqLen } = shape;
  const count = batch * batches;
  const lastStart = tokens.length - seqLen - 1;
  const out: TokenBatch[] = [];
  for (let b = 0; b < batches; b++) {
    const ids = new Int32Array(batch * seqLen);
    const targets = new Int32Array(batch * seqLen);
    for (let row = 0; row < batch; row++) {
      const k = b * batch + row;
      const start = count === 1 ? 0 : Math.floor((k * lastStart) / (count - 1));
      fillWindow(tokens, start, seqLen, row, ids, targets);
    }
    out.push({ batch, seqLen, ids, targets });
  }
  return out;
}
