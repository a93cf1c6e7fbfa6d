import type { Tensor } from '@sas/core';

/** One compared tensor, as the page reports it. */
export interface PageCheck {
  readonly name: string;
  readonly passed: boolean;
  /** max |a − e| over elements whose expected value is finite */
  readonly maxAbs: number;
  /** max |a − e| / |e| over elements with finite e ≠ 0 */
  readonly maxRel: number;
  /**
   * The smallest t for which atol = rtol = t would pass, max |a − e| / (1 + |e|):
   * what a tolerance for this mode has to allow (how the webgl figures in
   * docs/backends/tfjs.md were measured).
   */
  readonly needed: number;
  /** Set for a length mismatch or a non-finite value where a finite one (or another infinity) was expected. */
  readonly problem?: string;
}

/**
 * Compares `actual` with `expected` elementwise as @sas/conformance does
 * (`|a − e| ≤ atol + rtol·|e|`; equal infinities and NaN against NaN pass,
 * any other non-finite difference fails), re-implemented here because the
 * conformance package's entry reads fixtures with node:fs and cannot be
 * bundled for the page.
 *
 * @example
 * ```ts
 * const y = { dtype: 'float32', shape: [2], data: new Float32Array([1, 2.0001]) } as const;
 * const e = { dtype: 'float64', shape: [2], data: new Float64Array([1, 2]) } as const;
 * checkTensor('y', y, e, 1e-3, 0).passed; // true
 * ```
 */
export function checkTensor(name: string, actual: Tensor, expected: Tensor, atol: number, rtol: number): PageCheck {
  const a = actual.data;
  const e = expected.data;
  if (a.length !== e.length || actual.shape.join() !== expected.shape.join()) {
    return { name, passed: false, maxAbs: Infinity, maxRel: Infinity, needed: Infinity, problem: `shape [${actual.shape}] ≠ expected [${expected.shape}]` };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let needed = 0;
  let passed = true;
  let problem: string | undefined;
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    if (!Number.isFinite(diff)) {
      const same = a[i] === e[i] || (Number.isNaN(a[i]) && Number.isNaN(e[i]));
      if (!same && problem === undefined) {
        problem = `element ${i} is ${a[i]}, expected ${e[i]}`;
        passed = false;
      }
      continue;
    }
    const size = Math.abs(e[i]);
    maxAbs = Math.max(maxAbs, diff);
    if (size > 0) maxRel = Math.max(maxRel, diff / size);
    needed = Math.max(needed, diff / (1 + size));
    if (!(diff <= atol + rtol * size)) passed = false;
  }
  return problem === undefined ? { name, passed, maxAbs, maxRel, needed } : { name, passed, maxAbs, maxRel, needed, problem };
}
