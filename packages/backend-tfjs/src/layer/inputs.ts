import { SasError, fmtShape } from '@sas/core';

type MaybeShape = readonly (number | null)[];

const NAMES = ['query', 'key', 'value'] as const;

/**
 * Checks the three input shapes of a SASAttention call, each [B, T, H, D] or
 * [B, T, H·D] (batch and time may be unknown), with one B and T for all three.
 * Returns them as [B, T, H, D].
 *
 * @example
 * ```ts
 * checkInputShapes([[null, 8, 2, 4], [null, 8, 8], [null, 8, 2, 4]], 2, 4); // three [null, 8, 2, 4]
 * ```
 */
export function checkInputShapes(shapes: readonly MaybeShape[], heads: number, headDim: number): (number | null)[][] {
  const count = Array.isArray(shapes) && shapes.every(Array.isArray) ? shapes.length : 1;
  if (count !== 3) throw new SasError('E_INPUT', `SASAttention: expected three inputs [query, key, value], got ${count}`);
  const out = shapes.map((s, i) => {
    const ok = (s.length === 4 && s[2] === heads && s[3] === headDim) || (s.length === 3 && s[2] === heads * headDim);
    if (!ok) {
      throw new SasError(
        'E_SHAPE',
        `SASAttention: ${NAMES[i]} must be [B, T, ${heads}, ${headDim}] or [B, T, ${heads * headDim}], got ${fmtShape(s.map((d) => d ?? -1)).replace(/-1/g, '?')}`,
      );
    }
    return [s[0], s[1], heads, headDim];
  });
  for (const axis of [0, 1]) {
    const known = out.map((s) => s[axis]).filter((d): d is number => d !== null);
    if (new Set(known).size > 1) {
      throw new SasError(
        'E_SHAPE',
        `SASAttention: query, key and value must share ${axis === 0 ? 'the batch size' : 'the sequence length'}, got ${out.map((s) => s[axis] ?? '?').join(', ')}`,
      );
    }
  }
  return out;
}
