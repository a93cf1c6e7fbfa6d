import type { NdHandle } from '../handle.js';
import type { Epilogue } from '../lib/epilogue.js';
import { wasmConv1d } from '../wasm/conv.js';
import { wasmConvWeightGrad } from '../wasm/conv-weight-grad.js';
import { TILE_M } from '../wasm/gemm-kernel.js';
import { roundUp, type WasmRuntime } from '../wasm/runtime.js';
import { THREAD_MIN_WORK } from './gemm.js';
import type { ThreadPool } from './pool.js';
import { isShared, shared, sharedFloat32 } from './shared.js';
import { runConvChunk, runConvWeightGradChunk, type ConvTask, type ConvWeightGradTask } from './tasks.js';

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
export function threadedConv1d(
  pool: ThreadPool,
  rt: WasmRuntime,
  x: NdHandle,
  w: NdHandle,
  pad: number,
  out: NdHandle,
  epilogue?: Epilogue,
  reluX = false,
): void {
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

/**
 * `wasmConvWeightGrad` with the rows of dw (x's channels) shared out across
 * the pool: each thread stages its channels of x and all of g and sums over
 * every sample, so nothing is added across threads and the bits equal one
 * thread's. Small gradients, or no parallel pool, run on this thread.
 *
 * @example
 * ```ts
 * import { threadedConvWeightGrad } from './conv.js';
 * import { ThreadPool } from './pool.js';
 * import { WasmRuntime } from '../wasm/runtime.js';
 * import { wrap } from '../handle.js';
 * const dw = wrap(new Float32Array(3), [1, 1, 3]);
 * threadedConvWeightGrad(new ThreadPool(1), new WasmRuntime(), wrap(Float32Array.of(1, 2, 3), [1, 1, 3]), wrap(Float32Array.of(1, 1, 1), [1, 1, 3]), 1, dw); // dw = [3, 6, 5]
 * ```
 */
export function threadedConvWeightGrad(pool: ThreadPool, rt: WasmRuntime, x: NdHandle, g: NdHandle, pad: number, dw: NdHandle, reluX = false): void {
  const [n, channels, length] = x.shape;
  const [, outChannels, outLen] = g.shape;
  const work = n * channels * outChannels * outLen * (length + 2 * pad - outLen + 1);
  const xd = x.data as Float32Array;
  const gd = g.data as Float32Array;
  if (!pool.parallel || work < THREAD_MIN_WORK || channels < 2 * TILE_M) {
    wasmConvWeightGrad(rt, xd, x.shape, gd, g.shape, pad, dw.data as Float32Array, reluX);
    return;
  }
  const rows = roundUp(Math.ceil(channels / pool.size), TILE_M);
  const out = sharedFloat32(dw.data.length);
  const task: ConvWeightGradTask = {
    kind: 'conv-weight-grad',
    x: shared(xd),
    xShape: [...x.shape],
    g: shared(gd),
    gShape: [...g.shape],
    pad,
    reluX,
    dw: out,
    rows,
    chunks: Math.ceil(channels / rows),
  };
  pool.runChunks(task, (i) => runConvWeightGradChunk(rt, task, i));
  dw.data.set(out);
}
