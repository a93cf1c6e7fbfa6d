import { getOp, type Backend, type OpName, type Tensor } from '@sas/core';
import { compareTensors, type TensorComparison } from '../compare.js';
import type { ModelOpCase } from './cases.js';

/** Where a backend's output is compared with the case's oracle. */
export interface ModelOpCaseReport {
  readonly name: string;
  readonly passed: boolean;
  readonly comparison: TensorComparison;
}

/** The float64 value the case is held to (see `ModelOpOracle`). */
async function expectedOf(c: ModelOpCase, reference: Backend): Promise<Tensor> {
  if (c.oracle === 'given') {
    if (!c.expected) throw new Error(`model-op case '${c.name}' has oracle 'given' but no expected tensor`);
    return c.expected;
  }
  const node = c.graph.nodes[c.graph.outputs.y];
  if (c.oracle === 'decomposition') return (await reference.run(c.graph, c.feeds, { outputs: ['y'], nonFinite: 'allow' })).y;
  // The operands' values (exact: the views only move or scale by powers of two), then the op's own definition.
  const operandNames = node.inputs.map((_, i) => `operand${i}`);
  const operands = await reference.run(c.graph, c.feeds, { outputs: operandNames, nonFinite: 'allow' });
  const data = getOp(node.op as OpName).evaluate(
    operandNames.map((n) => ({ shape: operands[n].shape, data: Float64Array.from(operands[n].data) })),
    node.attrs as never,
    node.shape,
  );
  return { dtype: 'float64', shape: [...node.shape], data };
}

/**
 * Runs one model-op case on `backend` and compares its `y` with the case's
 * oracle (`|a − e| ≤ atol + rtol·|e|`; NaN must meet NaN, ±∞ the same ∞),
 * evaluated on `reference` (the float64 reference backend).
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { modelOpCases, runModelOpCase } from '@sas/conformance';
 * const reference = createReferenceBackend();
 * const [c] = modelOpCases({ op: 'Tanh' });
 * (await runModelOpCase(reference, c, { atol: 1e-12, rtol: 1e-12 }, reference)).passed; // true
 * ```
 */
export async function runModelOpCase(
  backend: Backend,
  c: ModelOpCase,
  tolerance: { readonly atol: number; readonly rtol: number },
  reference: Backend,
): Promise<ModelOpCaseReport> {
  const actual = (await backend.run(c.graph, c.feeds, { outputs: ['y'], nonFinite: 'allow' })).y;
  const comparison = compareTensors('y', actual, await expectedOf(c, reference), tolerance.atol, tolerance.rtol);
  return { name: c.name, passed: comparison.passed, comparison };
}

/**
 * One line for a failed (or passed) case: its name, the oracle, and the worst element.
 *
 * @example
 * ```ts
 * formatModelOpCase(report); // 'FAIL Gather table [13,16], ids [2,9]: max |a−e| 2.00e-3 at element 5'
 * ```
 */
export function formatModelOpCase(r: ModelOpCaseReport): string {
  const c = r.comparison;
  const detail = c.problem ?? `max |a−e| ${c.maxAbs.toExponential(2)}${c.worstIndex >= 0 ? ` (worst excess at element ${c.worstIndex})` : ''}`;
  return `${r.passed ? 'ok' : 'FAIL'} ${r.name}: ${detail}`;
}
