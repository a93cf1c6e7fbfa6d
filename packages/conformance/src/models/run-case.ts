import {
  ownValue,
  printable,
  buildModel,
  frozenParams,
  grad,
  tensor,
  Trainer,
  type Backend,
  type DType,
  type ModelTolerance,
  type Tensor,
} from '@sas/core';
import { compareTensors, type TensorComparison } from '../compare.js';
import type { ModelCaseTensors } from './case-tensors.js';
import type { ModelFixtureCase } from './manifest.js';
import { stepTolerance } from './tolerance.js';

/** Options of a model conformance run. */
export interface ModelConformanceOptions {
  /** A layer `Tolerance`, or a `ModelTolerance` with its own bound on the updated params (`modelToleranceFor`). */
  readonly tolerance: ModelTolerance;
  /** A directory in MODEL.md's layout (default: the bundled model fixtures); a URL for the HTTP runner. */
  readonly fixturesDir?: string;
  /** Run only these case names (a name the directory lacks fails the run). */
  readonly cases?: readonly string[];
  /** Graph dtype (default: the backend's native one, `backend.dtypes[0]`). */
  readonly dtype?: DType;
}

/** The result of one model case. */
export interface ModelCaseReport {
  readonly name: string;
  /** The attention kind of its blocks. */
  readonly kind: string;
  readonly passed: boolean;
  /** logits, loss (forward tolerance); grad.*, grad_norm (gradient tolerance); step1.* (step tolerance); loss_after_step1 (forward); step2.* (step). */
  readonly checks: readonly TensorComparison[];
  /** Set when the case could not run at all. */
  readonly error?: string;
}

/** The result of a whole model run. */
export interface ModelConformanceReport {
  readonly backend: string;
  readonly mode: string;
  readonly dtype: DType;
  readonly fixturesDir: string;
  readonly tolerance: ModelTolerance;
  readonly passed: boolean;
  readonly cases: readonly ModelCaseReport[];
  /** Why the run failed as a whole (nothing to check, unknown case names). */
  readonly problem?: string;
}

/** A failed check that is not a numeric comparison (a list that differs, a tensor the run lacks). */
function failedCheck(name: string, problem: string): TensorComparison {
  return { name, passed: false, maxAbs: Infinity, maxRel: Infinity, worstIndex: -1, needed: Infinity, problem };
}

const scalar = (x: number) => tensor([x], []);

/** Compares every param of `actual` with `expected` (step1.*, step2.*) under `prefix`. */
function compareParams(prefix: string, actual: Record<string, Tensor>, expected: Record<string, Tensor>, atol: number, rtol: number): TensorComparison[] {
  return Object.entries(expected).map(([name, e]) => {
    const got = ownValue(actual, name); // a fixture's name, so own properties only: 'constructor' is a name like any other
    return got ? compareTensors(`${prefix}${name}`, got, e, atol, rtol) : failedCheck(`${prefix}${name}`, 'the run has no such param');
  });
}

/**
 * Runs one model case on `backend` given a way to load its tensors (from
 * disk, or fetched in a browser): the forward pass (logits, loss), the
 * gradients of every trainable param, then two training steps on the same
 * batch through `Trainer` (global-norm clipping, AdamW, frozen params):
 * grad_norm, step1.*, loss_after_step1, step2.*. Never throws: a failing load
 * or backend becomes the case's `error`.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { bundledModelFixturesDir, loadModelCaseTensors, loadModelFixtureSet, runModelCaseOnTensors } from '@sas/conformance';
 * const [first] = loadModelFixtureSet(bundledModelFixturesDir()).cases;
 * const report = await runModelCaseOnTensors(createReferenceBackend(), first, () => loadModelCaseTensors(first), { tolerance: referenceProvider.tolerance('float64') });
 * report.passed; // true
 * ```
 */
export async function runModelCaseOnTensors(
  backend: Backend,
  fixture: ModelFixtureCase,
  load: () => ModelCaseTensors | Promise<ModelCaseTensors>,
  options: ModelConformanceOptions,
): Promise<ModelCaseReport> {
  const { atol, rtol, gradAtol, gradRtol } = options.tolerance;
  const step = stepTolerance(options.tolerance);
  const dtype = options.dtype ?? backend.dtypes[0];
  const kind = fixture.config.attention.kind;
  const checks: TensorComparison[] = [];
  try {
    const t = await load();
    const frozen = frozenParams(fixture.config);
    if ([...frozen].sort().join() !== [...fixture.frozen].sort().join()) {
      checks.push(failedCheck('frozen', `the config freezes [${frozen.join(', ')}] but the manifest lists [${fixture.frozen.join(', ')}]`));
    }
    const graph = buildModel(fixture.config, { batch: fixture.batch, seqLen: fixture.seqLen, dtype });
    const batch = { ids: t.ids, targets: t.targets };
    const forward = await backend.run(graph, { ...t.params, ...batch });
    checks.push(compareTensors('logits', forward.logits, t.forward.logits, atol, rtol), compareTensors('loss', forward.loss, t.forward.loss, atol, rtol));
    const trainable = Object.keys(t.params).filter((n) => !frozen.includes(n));
    const wanted = Object.keys(t.grads);
    if (wanted.length > 0) {
      const grads = await backend.run(grad(graph, 'loss', { wrt: trainable }), { ...t.params, ...batch }, { outputs: wanted });
      for (const name of wanted) checks.push(compareTensors(name, grads[name], t.grads[name], gradAtol, gradRtol));
    }
    if (t.step1 || t.gradNorm || t.lossAfterStep1 || t.step2) {
      const trainer = new Trainer(backend, graph, 'loss', t.params, fixture.optimizer, { frozen });
      await trainer.step(batch);
      if (t.gradNorm) checks.push(compareTensors('grad_norm', scalar(trainer.lastGradNorm), t.gradNorm, gradAtol, gradRtol));
      if (t.step1) checks.push(...compareParams('step1.', trainer.params, t.step1, step.atol, step.rtol));
      if (t.lossAfterStep1 || t.step2) {
        const lossAfterStep1 = await trainer.step(batch);
        if (t.lossAfterStep1) checks.push(compareTensors('loss_after_step1', scalar(lossAfterStep1), t.lossAfterStep1, atol, rtol));
        if (t.step2) checks.push(...compareParams('step2.', trainer.params, t.step2, step.atol, step.rtol));
      }
    }
  } catch (e) {
    return { name: fixture.name, kind, passed: false, checks, error: (e as Error).message };
  }
  return { name: fixture.name, kind, passed: checks.every((c) => c.passed), checks };
}

/**
 * The cases of a set that `names` selects, and a problem when nothing would be
 * checked or a requested name is not in the set: a run that checks nothing
 * must not pass.
 *
 * @example
 * ```ts
 * import { selectModelCases } from '@sas/conformance/portable';
 * selectModelCases([{ name: 'a' }], ['b']).problem; // "no case named 'b' (cases: a)"
 * ```
 */
export function selectModelCases<C extends { readonly name: string }>(cases: readonly C[], names?: readonly string[]): { selected: C[]; problem?: string } {
  const selected = names ? cases.filter((c) => names.includes(c.name)) : [...cases];
  const unknown = names?.filter((n) => !cases.some((c) => c.name === n)) ?? [];
  if (unknown.length > 0)
    return {
      selected,
      problem: `no case named ${unknown.map((n) => `'${printable(n)}'`).join(', ')} (cases: ${printable(cases.map((c) => c.name).join(', ')) || 'none'})`,
    };
  if (selected.length === 0) return { selected, problem: 'no case to check: the manifest lists none' };
  return { selected };
}
