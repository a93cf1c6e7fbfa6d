// A small local fixture loader (independent of @sas/conformance): manifest →
// config, safetensors → feeds and expected tensors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSafetensors, type LayerConfig, type Tensor } from '@sas/core';

/** The repository's copy of the authors' fixtures. */
export function fixturesDir(): string {
  return fileURLToPath(new URL('../../../conformance/fixtures', import.meta.url));
}

export interface LocalCase {
  readonly name: string;
  readonly config: LayerConfig;
  /** query/key/value and params, by graph feed name. */
  readonly feeds: Record<string, Tensor>;
  /** `output` and `trace.*` as stored (float64). */
  readonly expected: Record<string, Tensor>;
}

/** Every case of the manifest in `dir`. */
export function loadCases(dir = fixturesDir()): LocalCase[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  return manifest.cases.map((c) => {
    const config = (
      c.kind === 'sas'
        ? {
            kind: 'sas',
            batch: c.batch,
            seqLen: c.seqLen,
            heads: c.heads,
            headDim: c.headDim,
            simHeads: c.simHeads,
            simHeadDim: c.simHeadDim,
            kernelSize: c.kernelSize,
            causal: c.causal,
          }
        : {
            kind: c.kind,
            batch: c.batch,
            seqLen: c.seqLen,
            heads: c.heads,
            headDim: c.headDim,
            kvHeads: c.kvHeads ?? (c.kind === 'mqa' ? 1 : c.heads),
            causal: c.causal,
          }
    ) as LayerConfig;
    // A copy into a plain Uint8Array: parseSafetensors misreads a Node Buffer (see the report on core).
    const { tensors } = parseSafetensors(new Uint8Array(readFileSync(join(dir, c.file as string))), c.file as string);
    const feeds: Record<string, Tensor> = {};
    const expected: Record<string, Tensor> = {};
    for (const [name, t] of tensors) {
      if (name.startsWith('input.')) feeds[name.slice('input.'.length)] = t;
      else if (name === 'output' || name.startsWith('trace.')) expected[name] = t;
      else if (name !== 'cotangent' && !name.startsWith('grad.')) feeds[name] = t;
    }
    return { name: c.name as string, config, feeds, expected };
  });
}
