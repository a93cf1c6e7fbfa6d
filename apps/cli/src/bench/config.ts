import { SasError, validateConfig, type AttentionKind, type LayerConfig } from '@sas/core';
import { parseIntList, parsePositiveInt, type Flags } from '../args.js';

/**
 * Reads a layer configuration from bench flags: `--shape B,T,H,D,H',D'` for
 * SAS, `--shape B,T,H,D` with `--kv-heads N` for the baselines.
 *
 * @example
 * ```ts
 * configFromFlags({ shape: '1,512,12,64,24,128' }); // SAS, kernel 3, causal
 * ```
 */
export function configFromFlags(flags: Flags): LayerConfig {
  const kind = ((flags.kind as string | undefined) ?? 'sas') as AttentionKind;
  if (!['sas', 'mha', 'gqa', 'mqa'].includes(kind)) throw new SasError('E_INPUT', `--kind: expected sas, mha, gqa or mqa, got '${kind}'`);
  if (typeof flags.shape !== 'string') throw new SasError('E_INPUT', `bench: --shape is required (${kind === 'sas' ? "B,T,H,D,H',D'" : 'B,T,H,D'})`);
  const causal = flags.bidirectional !== true;
  if (kind === 'sas') {
    if (flags['kv-heads'] !== undefined) throw new SasError('E_INPUT', '--kv-heads applies to mha, gqa and mqa only');
    const [batch, seqLen, heads, headDim, simHeads, simHeadDim] = parseIntList(flags.shape, 'shape', 6);
    const kernelSize = parsePositiveInt(flags.kernel, 'kernel', 3);
    return validateConfig({ kind, batch, seqLen, heads, headDim, simHeads, simHeadDim, kernelSize, causal });
  }
  if (flags.kernel !== undefined) throw new SasError('E_INPUT', '--kernel applies to sas only');
  const [batch, seqLen, heads, headDim] = parseIntList(flags.shape, 'shape', 4);
  const fallback = kind === 'mha' ? heads : kind === 'mqa' ? 1 : undefined;
  if (fallback === undefined && flags['kv-heads'] === undefined) throw new SasError('E_INPUT', '--kv-heads is required for gqa');
  const kvHeads = parsePositiveInt(flags['kv-heads'], 'kv-heads', fallback ?? 1);
  return validateConfig({ kind, batch, seqLen, heads, headDim, kvHeads, causal });
}
