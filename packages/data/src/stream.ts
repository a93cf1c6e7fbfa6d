import { SasError, seededRandom } from '@sas/core';

/**
 * Where a seeded stream stands: its seed and how many numbers it has drawn.
 * A small JSON-serialisable record; a stream rebuilt from it continues with
 * exactly the numbers the original would have drawn next.
 */
export interface StreamState {
  readonly seed: number;
  readonly draws: number;
}

/**
 * core's `seededRandom` is mulberry32, a counter-based generator: its internal
 * state after n draws is `seed + n·0x6d2b79f5 (mod 2³²)`. So a stream can jump
 * to any position in O(1) instead of replaying its draws (a test holds the
 * jump to the replay, so a change of core's generator cannot go unnoticed).
 */
const MULBERRY32_INCREMENT = 0x6d2b79f5;

/** A full cycle of the generator: a stream never draws this many numbers. */
export const STREAM_CYCLE = 2 ** 32;

const isUint32 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < STREAM_CYCLE;

/**
 * Checks a stream state that came from outside (a checkpoint, a user):
 * `seed` and `draws` integers in [0, 2³²). `what` names it in the error.
 *
 * @example
 * ```ts
 * import { checkStreamState } from '@sas/data';
 * checkStreamState({ seed: 1, draws: 0 }, 'sampler'); // fine
 * // checkStreamState({ seed: -1, draws: 0 }, 'sampler'); // throws E_INPUT
 * ```
 */
export function checkStreamState(state: unknown, what: string): asserts state is StreamState {
  const s = state as Partial<StreamState> | null;
  if (typeof s !== 'object' || s === null || !isUint32(s.seed) || !isUint32(s.draws))
    throw new SasError('E_INPUT', `${what}: expected {"seed": integer 0..2^32-1, "draws": integer 0..2^32-1}, got ${JSON.stringify(state)}`);
}

/**
 * Checks a seed: an integer in [0, 2³²), named by `what` in the error.
 *
 * @example
 * ```ts
 * import { checkSeed } from '@sas/data';
 * checkSeed(42, 'seed'); // fine
 * ```
 */
export function checkSeed(seed: unknown, what: string): asserts seed is number {
  if (!isUint32(seed)) throw new SasError('E_INPUT', `${what}: expected an integer 0..2^32-1, got ${JSON.stringify(seed)}`);
}

/**
 * A seeded stream of uniform numbers in [0, 1) (core's mulberry32) that knows
 * its position, so its `state` can be saved and a later stream continue it.
 * `limit` bounds the position: the stream refuses to draw past it, which is
 * how two streams of one seed (training and evaluation) stay disjoint.
 *
 * @example
 * ```ts
 * import { SeededStream } from '@sas/data';
 * const a = new SeededStream(7);
 * a.next(); a.next();
 * const b = new SeededStream(a.state); // { seed: 7, draws: 2 }
 * a.next() === b.next();               // true
 * ```
 */
export class SeededStream {
  readonly seed: number;
  private drawn: number;
  private rand: () => number;

  constructor(
    start: StreamState | number,
    private readonly limit = STREAM_CYCLE,
  ) {
    const state = typeof start === 'number' ? { seed: start, draws: 0 } : start;
    if (typeof start === 'number') checkSeed(start, 'seed');
    else checkStreamState(start, 'stream state');
    if (state.draws > limit) throw new SasError('E_INPUT', `stream state: draws ${state.draws} is past this stream's end (${limit})`);
    this.seed = state.seed;
    this.drawn = state.draws;
    this.rand = seededRandom((state.seed + Math.imul(state.draws, MULBERRY32_INCREMENT)) >>> 0);
  }

  /** The position to save: `new SeededStream(stream.state)` continues this stream exactly. */
  get state(): StreamState {
    return { seed: this.seed, draws: this.drawn };
  }

  /** The next number, uniform in [0, 1). */
  next(): number {
    if (this.drawn >= this.limit) throw new SasError('E_INPUT', `seeded stream ${this.seed}: exhausted after ${this.limit} draws`);
    this.drawn++;
    return this.rand();
  }

  /** The next integer, uniform in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
