import { fmtShape, frozenParams, getTensor, modelParams, SasError, sameShape, type SafetensorsContents, type Tensor } from '@sas/core';
import type { ModelFixtureCase } from './manifest.js';

/** A model case's tensors, sorted and checked against its config. */
export interface ModelCaseTensors {
  /** `param.<name>` without the prefix: the params before the first step. */
  readonly params: Record<string, Tensor>;
  readonly ids: Tensor;
  readonly targets: Tensor;
  /** Forward at the initial params: `logits`, `loss`. */
  readonly forward: Record<string, Tensor>;
  /** `grad.<name>` (trainable params), as the file names them. */
  readonly grads: Record<string, Tensor>;
  readonly gradNorm?: Tensor;
  /** Params after one and two steps on the same batch, by param name (absent when the file has none). */
  readonly step1?: Record<string, Tensor>;
  readonly step2?: Record<string, Tensor>;
  readonly lossAfterStep1?: Tensor;
}

/** Every param of `prefix` in the file, or undefined when it has none; partial sets are a fixture error. */
function paramSet(
  contents: SafetensorsContents,
  prefix: string,
  shapes: Readonly<Record<string, readonly number[]>>,
  source: string,
): Record<string, Tensor> | undefined {
  const names = Object.keys(shapes);
  if (!names.some((n) => contents.tensors.has(`${prefix}${n}`))) return undefined;
  return Object.fromEntries(names.map((n) => [n, getTensor(contents, `${prefix}${n}`, shapes[n], source)]));
}

/**
 * Sorts a model case file's tensors (MODEL.md's table) into params, inputs,
 * expected forward values, gradients, the gradient norm and the two steps,
 * checking every shape against the case's config: `E_WEIGHTS` naming the
 * file and tensor otherwise, `E_FIXTURE` for a gradient of a parameter the
 * case does not train or a name the layout does not have.
 *
 * @example
 * ```ts
 * import { parseSafetensors } from '@sas/core';
 * import { sortModelCaseTensors } from '@sas/conformance/portable';
 * const tensors = sortModelCaseTensors(parseSafetensors(bytes, fixture.path), fixture);
 * ```
 */
export function sortModelCaseTensors(contents: SafetensorsContents, c: ModelFixtureCase): ModelCaseTensors {
  const { shapes } = modelParams(c.config);
  const source = c.path;
  const frozen = new Set(frozenParams(c.config));
  const bt = [c.batch, c.seqLen];
  const params = paramSet(contents, 'param.', shapes, source);
  if (!params) throw new SasError('E_WEIGHTS', `${source}: missing tensor 'param.tok.weight' (no param.* tensors at all)`);
  const grads: Record<string, Tensor> = {};
  for (const [name, t] of contents.tensors) {
    if (!name.startsWith('grad.')) continue;
    const param = name.slice('grad.'.length);
    const shape = shapes[param];
    if (!shape) throw new SasError('E_FIXTURE', `${source}: '${name}' is the gradient of no parameter of the model`);
    if (frozen.has(param)) throw new SasError('E_FIXTURE', `${source}: '${name}' is the gradient of a frozen parameter`);
    if (!sameShape(t.shape, shape)) throw new SasError('E_WEIGHTS', `${source}: tensor '${name}' has shape ${fmtShape(t.shape)}, expected ${fmtShape(shape)}`);
    grads[name] = t;
  }
  const optional = (name: string, shape: readonly number[]) => (contents.tensors.has(name) ? getTensor(contents, name, shape, source) : undefined);
  return {
    params,
    ids: getTensor(contents, 'input.ids', bt, source),
    targets: getTensor(contents, 'input.targets', bt, source),
    forward: { logits: getTensor(contents, 'logits', [...bt, c.config.vocab], source), loss: getTensor(contents, 'loss', [], source) },
    grads,
    gradNorm: optional('grad_norm', []),
    step1: paramSet(contents, 'step1.', shapes, source),
    step2: paramSet(contents, 'step2.', shapes, source),
    lossAfterStep1: optional('loss_after_step1', []),
  };
}
