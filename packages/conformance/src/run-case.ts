import { buildLayer, grad, SasError, layerParams, withCotangentLoss, type Backend, type DType, type Graph, type Tensor, type Tolerance } from '@sas/core';
import type { CaseTensors } from './case-tensors.js';
import { compareTensors, type TensorComparison } from './compare.js';
import type { FixtureCase } from './manifest.js';

/** Options of a conformance run. */
export interface ConformanceOptions {
  readonly tolerance: Tolerance;
  /** Fixture directory in the bundled format (default: the bundled fixtures); a URL for the HTTP runner. */
  readonly fixturesDir?: string;
  /** Also compare gradients of Σ output·cotangent with the fixtures' `grad.*`. */
  readonly grads?: boolean;
  /** Run only these case names. */
  readonly cases?: readonly string[];
  /** Graph dtype (default: the backend's native one, `backend.dtypes[0]`). */
  readonly dtype?: DType;
}

/** The result of one fixture case. */
export interface CaseReport {
  readonly name: string;
  readonly kind: string;
  readonly passed: boolean;
  /** Forward tensors (`output`, `trace.*`) then, with grads, `grad.*`. */
  readonly checks: readonly TensorComparison[];
  /** True when at least one gradient was compared (grads were asked for and the case carries them). */
  readonly gradsChecked: boolean;
  /** Set when the case could not run at all. */
  readonly error?: string;
}

/** The result of a whole run. */
export interface ConformanceReport {
  readonly backend: string;
  readonly mode: string;
  readonly dtype: DType;
  readonly fixturesDir: string;
  readonly tolerance: Tolerance;
  readonly grads: boolean;
  /** Every case passed, at least one ran, and with `grads` at least one compared a gradient. */
  readonly passed: boolean;
  /** Why a run whose cases all passed still did not pass (nothing was checked). */
  readonly problem?: string;
  readonly cases: readonly CaseReport[];
}

/** The gradient graph of a layer: ∂(Σ output·cotangent) w.r.t. inputs and every param. */
function gradientGraph(layer: Graph, fixture: FixtureCase): Graph {
  const wrt = ['query', 'key', 'value', ...layerParams(fixture.config).map((p) => p.name)];
  return grad(withCotangentLoss(layer, 'output'), 'loss', { wrt });
}

/** Graph gradient names are `grad.query`; the fixtures call them `grad.input.query`. */
function fixtureGradName(graphName: string): string {
  return ['grad.query', 'grad.key', 'grad.value'].includes(graphName) ? graphName.replace('grad.', 'grad.input.') : graphName;
}

/**
 * Runs one fixture case on `backend` given a way to load its tensors (from
 * disk, or fetched in a browser): forward outputs and traces and, when asked
 * and available, gradients. Never throws: a failing load or backend becomes
 * the case's `error`.
 *
 * @example
 * ```ts
 * import { createReferenceBackend, referenceProvider } from '@sas/core';
 * import { bundledFixturesDir, loadCaseTensors, loadFixtureSet, runCaseOnTensors } from '@sas/conformance';
 * const [first] = loadFixtureSet(bundledFixturesDir()).cases;
 * const report = await runCaseOnTensors(createReferenceBackend(), first, () => loadCaseTensors(first), { tolerance: referenceProvider.tolerance('float64') });
 * report.passed; // true
 * ```
 */
export async function runCaseOnTensors(
  backend: Backend,
  fixture: FixtureCase,
  load: () => CaseTensors | Promise<CaseTensors>,
  options: ConformanceOptions,
): Promise<CaseReport> {
  const { atol, rtol, gradAtol, gradRtol } = options.tolerance;
  const dtype = options.dtype ?? backend.dtypes[0];
  const checks: TensorComparison[] = [];
  let gradsChecked = false;
  try {
    const tensors = await load();
    const layer = buildLayer(fixture.config, { dtype });
    const feeds: Record<string, Tensor> = { ...tensors.inputs, ...tensors.params };
    const forward = await backend.run(layer, feeds, { outputs: Object.keys(tensors.expected).filter((n) => n in layer.outputs) });
    for (const [name, expected] of Object.entries(tensors.expected)) {
      const actual = forward[name];
      checks.push(
        actual
          ? compareTensors(name, actual, expected, atol, rtol)
          : { name, passed: false, maxAbs: Infinity, maxRel: Infinity, worstIndex: -1, needed: Infinity, problem: 'the layer graph has no such output' },
      );
    }
    if (options.grads && tensors.cotangent && Object.keys(tensors.grads).length > 0) {
      const g = gradientGraph(layer, fixture);
      const produced = new Map(Object.keys(g.outputs).map((n) => [fixtureGradName(n), n]));
      const wanted = Object.keys(tensors.grads).filter((n) => produced.has(n));
      if (wanted.length === 0) {
        throw new SasError(
          'E_FIXTURE',
          `${fixture.file}: its gradients (${Object.keys(tensors.grads).join(', ')}) match none of the layer's (${[...produced.keys()].filter((n) => n.startsWith('grad.')).join(', ')})`,
        );
      }
      const result = await backend.run(g, { ...feeds, cotangent: tensors.cotangent }, { outputs: wanted.map((n) => produced.get(n)!) });
      for (const name of Object.keys(tensors.grads)) {
        const graphName = produced.get(name);
        checks.push(
          graphName
            ? compareTensors(name, result[graphName], tensors.grads[name], gradAtol, gradRtol)
            : { name, passed: false, maxAbs: Infinity, maxRel: Infinity, worstIndex: -1, needed: Infinity, problem: 'the gradient graph has no such gradient' },
        );
      }
      gradsChecked = true;
    }
  } catch (e) {
    return { name: fixture.name, kind: fixture.config.kind, passed: false, checks, gradsChecked, error: (e as Error).message };
  }
  return { name: fixture.name, kind: fixture.config.kind, passed: checks.every((c) => c.passed), checks, gradsChecked };
}

/**
 * The report of a run over `cases`: it passes only when every case passed,
 * at least one case ran, and, when gradients were asked for, at least one
 * case compared them (a run that checks nothing is not a pass).
 *
 * @example
 * ```ts
 * import { conformanceReport } from '@sas/conformance/portable';
 * conformanceReport(backend, options, '/fixtures', []).passed; // false: nothing was checked
 * ```
 */
export function conformanceReport(backend: Backend, options: ConformanceOptions, fixturesDir: string, cases: readonly CaseReport[]): ConformanceReport {
  const grads = options.grads ?? false;
  const problem =
    cases.length === 0
      ? 'no case ran (nothing to check)'
      : grads && cases.every((c) => c.passed) && !cases.some((c) => c.gradsChecked)
        ? 'gradients were asked for, but no case carries any (nothing compared)'
        : undefined;
  return {
    backend: backend.name,
    mode: backend.mode,
    dtype: options.dtype ?? backend.dtypes[0],
    fixturesDir,
    tolerance: options.tolerance,
    grads,
    passed: problem === undefined && cases.every((c) => c.passed),
    ...(problem === undefined ? {} : { problem }),
    cases,
  };
}
