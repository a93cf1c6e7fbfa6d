import { getTensor, layerParams, type SafetensorsContents, type Tensor } from '@sas/core';
import type { FixtureCase } from './manifest.js';

/** The case's tensors, checked against its configuration. */
export interface CaseTensors {
  readonly inputs: Record<string, Tensor>;
  readonly params: Record<string, Tensor>;
  /** Fixture tensors to compare against: `output` and any `trace.*` present. */
  readonly expected: Record<string, Tensor>;
  /** `cotangent` and `grad.*`, when the case carries gradients. */
  readonly cotangent?: Tensor;
  readonly grads: Record<string, Tensor>;
}

/**
 * Sorts a case file's tensors into inputs, params, expected outputs and
 * gradients, checking every shape against the case's config (`E_WEIGHTS`
 * naming the file and tensor otherwise).
 *
 * @example
 * ```ts
 * import { parseSafetensors } from '@sas/core';
 * import { sortCaseTensors } from '@sas/conformance/portable';
 * const tensors = sortCaseTensors(parseSafetensors(bytes, fixture.path), fixture);
 * ```
 */
export function sortCaseTensors(contents: SafetensorsContents, c: FixtureCase): CaseTensors {
  const { batch, seqLen, heads, headDim } = c.config;
  const kvHeads = c.config.kind === 'sas' ? heads : c.config.kvHeads;
  const inputShapes: Record<string, number[]> = {
    query: [batch, seqLen, heads, headDim],
    key: [batch, seqLen, kvHeads, headDim],
    value: [batch, seqLen, kvHeads, headDim],
  };
  const inputs: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(inputShapes)) inputs[name] = getTensor(contents, `input.${name}`, shape, c.path);
  const params: Record<string, Tensor> = {};
  for (const p of layerParams(c.config)) params[p.name] = getTensor(contents, p.name, p.shape, c.path);
  const width = heads * headDim;
  const expected: Record<string, Tensor> = { output: getTensor(contents, 'output', [batch, seqLen, width], c.path) };
  for (const name of contents.tensors.keys()) {
    if (name.startsWith('trace.')) expected[name] = contents.tensors.get(name)!;
  }
  const grads: Record<string, Tensor> = {};
  const cotangent = contents.tensors.has('cotangent') ? getTensor(contents, 'cotangent', [batch, seqLen, width], c.path) : undefined;
  if (cotangent) {
    for (const [name, t] of [...Object.entries(inputs).map(([n, t]) => [`input.${n}`, t] as const), ...Object.entries(params)]) {
      const key = `grad.${name}`;
      if (contents.tensors.has(key)) grads[key] = getTensor(contents, key, t.shape, c.path);
    }
  }
  return { inputs, params, expected, cotangent, grads };
}
