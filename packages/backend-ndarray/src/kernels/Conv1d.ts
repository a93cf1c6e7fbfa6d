import type { NdKernel } from '../deferred.js';
import { alloc } from '../handle.js';

/**
 * Conv1d (cross-correlation, stride 1, zero padding) as one small matmul per
 * sample. With w read as [O, C·k], sample s gives
 * `y[s] = w · window[s]ᵀ`, where row j of `window` holds x[s, c, j+t−pad] for
 * every (c, t). The window buffer is [Lout, C·k] for one sample only (a few
 * KB for SAS's conv over the head axis), reused across samples, so no
 * N-sized im2col array is ever built.
 *
 * @example
 * ```ts
 * import { Conv1d } from './Conv1d.js';
 * import { wrap } from '../handle.js';
 * import { nodeOf } from '../lib/node.js';
 * import { jsGemm } from '../lib/gemm.js';
 * const x = wrap(Float32Array.of(1, 2, 3), [1, 1, 3]);
 * const w = wrap(Float32Array.of(1, 1, 1), [1, 1, 3]);
 * Conv1d([x, w], nodeOf('Conv1d', [1, 1, 3], { pad: 1 }), [], { gemm: jsGemm }).data; // [3, 6, 5]
 * ```
 */
export const Conv1d: NdKernel = ([x, w], node, _inputNodes, ctx) => {
  const [batch, channels, length] = x.shape;
  const [outChannels, , k] = w.shape;
  const pad = node.attrs.pad as number;
  const outLen = node.shape[2];
  const out = alloc(node.dtype, node.shape);
  const ck = channels * k;
  const window = new (x.data.constructor as Float32ArrayConstructor)(outLen * ck);
  const src = x.data;
  for (let s = 0; s < batch; s++) {
    const xBase = s * channels * length;
    for (let j = 0; j < outLen; j++) {
      const row = j * ck;
      for (let c = 0; c < channels; c++) {
        const cBase = xBase + c * length;
        const wBase = row + c * k;
        for (let t = 0; t < k; t++) {
          const pos = j + t - pad;
          window[wBase + t] = pos >= 0 && pos < length ? src[cBase + pos] : 0;
        }
      }
    }
    ctx.gemm.abt(w.data, 0, ck, window, 0, ck, out.data, s * outChannels * outLen, outLen, outChannels, outLen, ck);
  }
  return out;
};
