import type { NdHandle } from '../handle.js';
import type { Epilogue } from '../lib/epilogue.js';
import { wasmConv1d } from '../wasm/conv.js';
import type { WasmRuntime } from '../wasm/runtime.js';
import { THREAD_MIN_WORK } from './gemm.js';
import type { ThreadPool } from './pool.js';
import { isShared, shared } from './shared.js';
import { runConvChunk, type ConvTask } from './tasks.js';

/** Samples per chunk: enough to amortise a chunk's setup (the reordered kernel), small enough to balance. */
const CHUNKS_PER_THREAD = 4;

/**
 * `wasmConv1d` with the samples (axis 0 of x and out) shared out across the
 * pool: each thread claims blocks of samples and convolves them in its own
 * SIMD runtime, writing its rows of `out` in place. Taken when the pool is
 * parallel, the convolution is big enough to pay and `out` is in shared
 * memory (large values are, while a parallel pool lives); x, w and epilogue
 * operands not yet shared (feeds, weights) are copied there. Otherwise on
 * this thread. Samples are independent, so results equal the single-thread
 * kernel's.
 *
 * @example
 * ```ts
 * import { threadedConv1d } from './conv.js';
 * import { ThreadPool } from './pool.js';
 * import { WasmRuntime } from '../wasm/runtime.js';
 * import { wrap } from '../handle.js';
 * const out = wrap(new Float32Array(2), [1, 1, 2]);
 * threadedConv1d(new ThreadPool(1), new WasmRuntime(), wrap(Float32Array.of(1, 2), [1, 1, 2]), wrap(Float32Array.of(3), [1, 1, 1]), 0, out); // out = [3, 6]
 * ```
 */
export function threadedConv1d(pool: ThreadPool, rt: WasmRuntime, x: NdHandle, w: NdHandle, pad: number, out: NdHandle, epilogue?: Epilogue, reluX = false): void {
  const [batch, channels] = x.shape;
  const [outChannels, , k] = w.shape;
  const work = out.data.length * channels * k;
  const parallel = pool.parallel && batch > 1 && work >= THREAD_MIN_WORK && isShared(out.data);
  if (!parallel) {
    wasmConv1d(rt, x, w, pad, out, epilogue, reluX);
    return;
  }
  // Feeds (x from an input, the weights, biases) are not in shared memory: `shared` copies them there (shared ones stay).
  const ep: Epilogue | undefined = epilogue && {
    ...epilogue,
    rowBias: epilogue.rowBias && { data: shared(epilogue.rowBias.data as Float32Array), off: epilogue.rowBias.off },
    addends: epilogue.addends?.map((a) => ({ data: shared(a.data as Float32Array), off: a.off })),
  };
  const perChunk = Math.max(1, Math.ceil(batch / (pool.size * CHUNKS_PER_THREAD)));
  const task: ConvTask = {
    kind: 'conv',
    x: shared(x.data as Float32Array),
    xShape: [...x.shape],
    w: shared(w.data as Float32Array),
    wShape: [outChannels, channels, k],
    pad,
    out: out.data as Float32Array,
    outShape: [...out.shape],
    epilogue: ep,
    reluX,
    samples: perChunk,
    chunks: Math.ceil(batch / perChunk),
  };
  pool.runChunks(task, (i) => runConvChunk(rt, task, i));
}
