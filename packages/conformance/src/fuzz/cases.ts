import type { Attrs, LayerConfig } from '@sas/core';

/**
 * A whole attention layer with random inputs and weights: forward output,
 * traces and (unless the backend is forward-only) the gradients of
 * Σ output·cotangent with respect to the inputs and every parameter.
 */
export interface LayerFuzzCase {
  readonly kind: 'layer';
  readonly config: LayerConfig;
  /** Seeds the inputs, weights and cotangent (each from its own offset). */
  readonly seed: number;
  /** Standard deviation of query/key/value (weights keep PyTorch's default init range). */
  readonly inputScale: number;
  /** Multiplies every weight; above 1 sharpens the softmax. */
  readonly weightScale: number;
}

/**
 * How an op case's input values are drawn: `normal` N(0,1); `positive`
 * |N(0,1)| + 0.1 (Log, Sqrt); `nonzero` N(0,1) pushed ±0.5 away from 0 (a
 * divisor); `integers` from {−1, 0, 1}, so Equal sees ties.
 */
export type ValueDomain = 'normal' | 'positive' | 'nonzero' | 'integers';

/** One primitive op on random inputs, forward and VJP, zero-size shapes included. */
export interface OpFuzzCase {
  readonly kind: 'op';
  readonly op: string;
  readonly shapes: readonly (readonly number[])[];
  readonly attrs: Attrs;
  /** Value domain per input. */
  readonly domains: readonly ValueDomain[];
  readonly seed: number;
}

/** Any case the differential fuzzer runs. */
export type FuzzCase = LayerFuzzCase | OpFuzzCase;

/**
 * One line naming a case, for test names and failure messages.
 *
 * @example
 * ```ts
 * import { describeFuzzCase } from '@sas/conformance/fuzz';
 * describeFuzzCase({ kind: 'op', op: 'Exp', shapes: [[2, 0]], attrs: {}, domains: ['normal'], seed: 1 });
 * // 'Exp [2,0] {} seed 1'
 * ```
 */
export function describeFuzzCase(c: FuzzCase): string {
  if (c.kind === 'op') return `${c.op} ${c.shapes.map((s) => `[${s.join(',')}]`).join(' ')} ${JSON.stringify(c.attrs)} seed ${c.seed}`;
  const k = c.config;
  const dims = `B=${k.batch} T=${k.seqLen} H=${k.heads} D=${k.headDim}`;
  const extra = k.kind === 'sas' ? `H'=${k.simHeads} D'=${k.simHeadDim} k=${k.kernelSize}` : `kv=${k.kvHeads}`;
  return `${k.kind} ${dims} ${extra} ${k.causal ? 'causal' : 'bidirectional'} seed ${c.seed} x${c.inputScale} w${c.weightScale}`;
}

/**
 * The case as a TypeScript literal, ready to paste into `regressions.ts`.
 *
 * @example
 * ```ts
 * import { fuzzCaseSource } from '@sas/conformance/fuzz';
 * fuzzCaseSource({ kind: 'op', op: 'Neg', shapes: [[1]], attrs: {}, domains: ['normal'], seed: 3 });
 * // '{"kind":"op","op":"Neg","shapes":[[1]],"attrs":{},"domains":["normal"],"seed":3}'
 * ```
 */
export function fuzzCaseSource(c: FuzzCase): string {
  return JSON.stringify(c);
}
