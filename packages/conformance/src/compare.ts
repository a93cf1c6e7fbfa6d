import { fmtShape, sameShape, type Tensor } from '@sas/core';

/** How one tensor compares with its expected value. */
export interface TensorComparison {
  readonly name: string;
  readonly passed: boolean;
  /** max |a − e| */
  readonly maxAbs: number;
  /** max |a − e| / |e| over elements with e ≠ 0 */
  readonly maxRel: number;
  /** Index of the element that exceeds the tolerance by the most (−1 when all pass). */
  readonly worstIndex: number;
  /** The smallest t for which atol = rtol = t passes: max |a − e| / (1 + |e|). What a tolerance must allow. */
  readonly needed: number;
  /** Set when the comparison could not be made (shape mismatch) or found NaN. */
  readonly problem?: string;
}

/**
 * Compares `actual` with `expected` elementwise: an element passes when
 * `|a − e| ≤ atol + rtol·|e|`. Equal infinities and NaN against NaN pass; any
 * other non-finite difference fails.
 *
 * @example
 * ```ts
 * import { tensor } from '@sas/core';
 * import { compareTensors } from '@sas/conformance';
 * compareTensors('y', tensor([1, 2.0001], [2]), tensor([1, 2], [2]), 1e-3, 0).passed; // true
 * ```
 */
export function compareTensors(name: string, actual: Tensor, expected: Tensor, atol: number, rtol: number): TensorComparison {
  if (!sameShape(actual.shape, expected.shape)) {
    return {
      name,
      passed: false,
      maxAbs: Infinity,
      maxRel: Infinity,
      needed: Infinity,
      worstIndex: -1,
      problem: `shape ${fmtShape(actual.shape)} ≠ expected ${fmtShape(expected.shape)}`,
    };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let worstIndex = -1;
  let worstExcess = 0;
  let nonFinite = -1;
  let needed = 0;
  const a = actual.data;
  const e = expected.data;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    if (!Number.isFinite(diff)) {
      const same = a[i] === e[i] || (Number.isNaN(a[i]) && Number.isNaN(e[i]));
      if (!same && nonFinite < 0) nonFinite = i;
      continue;
    }
    if (diff > maxAbs) maxAbs = diff;
    if (diff / (1 + Math.abs(e[i])) > needed) needed = diff / (1 + Math.abs(e[i]));
    if (e[i] !== 0 && diff / Math.abs(e[i]) > maxRel) maxRel = diff / Math.abs(e[i]);
    const excess = diff - (atol + rtol * Math.abs(e[i]));
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
  }
  if (nonFinite >= 0) {
    return {
      name,
      passed: false,
      maxAbs: Infinity,
      maxRel: Infinity,
      needed: Infinity,
      worstIndex: nonFinite,
      problem: `element ${nonFinite} is ${a[nonFinite]}, expected ${e[nonFinite]}`,
    };
  }
  return { name, passed: worstIndex < 0, maxAbs, maxRel, needed, worstIndex };
}
