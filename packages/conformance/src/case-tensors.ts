import { getTensor, layerParams, SasError, type SafetensorsContents, type Tensor } from '@sas/core';
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
  const gradShapes = new Map<string, readonly number[]>([
    ...Object.entries(inputs).map(([n, t]) => [`grad.input.${n}`, t.shape] as const),
    ...Object.entries(params).map(([n, t]) => [`grad.${n}`, t.shape] as const),
  ]);
  for (const name of contents.tensors.keys()) {
    if (!name.startsWith('grad.')) continue;
    const shape = gradShapes.get(name);
    // A gradient under a name the layer does not have would otherwise never be compared, and the case would pass unchecked.
    if (!shape) throw new SasError('E_FIXTURE', `${c.path}: gradient '${name}' matches no input or parameter of the ${c.config.kind} layer`);
    if (!cotangent) throw new SasError('E_FIXTURE', `${c.path}: holds gradient '${name}' but no 'cotangent' to compute it with`);
    grads[name] = getTensor(contents, name, shape, c.path);
  }
  return { inputs, params, expected, cotangent, grads };
}
