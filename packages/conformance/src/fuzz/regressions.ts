// Fixed cases every fuzz run replays on every backend: counterexamples the
// fuzzer found (shrunk by fast-check), plus the corners the issue names.
// To add one: copy the `counterexample` a failing fuzz test prints.

import type { Attrs, LayerConfig } from '@sas/core';
import type { FuzzCase } from './cases.js';

/** A fixed case: what it is and why it is here. */
export interface RegressionCase {
  readonly name: string;
  /** Where it came from: a fuzz counterexample (with the date) or a named corner. */
  readonly origin: string;
  readonly case: FuzzCase;
}

/** What is being run: gradients or not, on which backend and mode. */
export interface RunContext {
  readonly grads: boolean;
  readonly backend: string;
  readonly mode: string;
}

/**
 * A defect found by the fuzzer and not yet fixed where it lives. Cases it
 * matches run forward only (`effect: 'forward-only'`) or not at all
 * (`'skip'`), and its counterexample is reported as a skipped test with
 * `issue` in its name: never silently passed.
 */
export interface KnownIssue {
  readonly id: string;
  /** One line: what goes wrong and where the fix belongs. */
  readonly issue: string;
  /** True for the cases this defect breaks. */
  readonly affects: (c: FuzzCase, ctx: RunContext) => boolean;
  readonly effect: 'forward-only' | 'skip';
  /** The shrunk counterexample. */
  readonly case: FuzzCase;
  /** Backends it shows on, as 'name' or 'name/mode' (all when absent). */
  readonly backends?: readonly string[];
}

/**
 * Known defects (see `KnownIssue`); remove an entry once its fix lands, and
 * move its case into `FUZZ_REGRESSIONS`. None is open: the last five
 * (conv1d-vjp-pad, tfjs-zero-size, onnx-conv-zero-channels,
 * onnx-matmul-zero-size, gpujs-cpu-grad-precision) were fixed where they
 * lived, and their counterexamples are regression cases below. An entry may
 * stay only where a dependency cannot do something, naming its upstream issue.
 */
export const KNOWN_ISSUES: readonly KnownIssue[] = [];

/** Named corners and past counterexamples, run on every backend on every fuzz run. */
export const FUZZ_REGRESSIONS: readonly RegressionCase[] = [
  layer(
    "SAS with every dim minimal (B=T=H=D=1, H'=H, D'=1, k=1)",
    { kind: 'sas', batch: 1, seqLen: 1, heads: 1, headDim: 1, simHeads: 1, simHeadDim: 1, kernelSize: 1, causal: true },
    1,
  ),
  layer(
    "SAS T=1 bidirectional, H=1, D'<D",
    { kind: 'sas', batch: 2, seqLen: 1, heads: 1, headDim: 4, simHeads: 2, simHeadDim: 2, kernelSize: 3, causal: false },
    2,
  ),
  layer("SAS H'=H, k=5, D'>D, causal", { kind: 'sas', batch: 1, seqLen: 5, heads: 3, headDim: 3, simHeads: 3, simHeadDim: 6, kernelSize: 5, causal: true }, 3),
  layer(
    'SAS k=5 over 2 heads (kernel wider than the head axis), inputs and weights ×2',
    { kind: 'sas', batch: 1, seqLen: 3, heads: 2, headDim: 3, simHeads: 6, simHeadDim: 2, kernelSize: 5, causal: false },
    4,
    2,
    2,
  ),
  // Fixed in core (was known issue conv1d-vjp-pad): Conv1d takes any padding, as PyTorch does, so
  // the weight gradient of a SAS layer with (k−1)/2 ≥ D (its kernel is D long) can be built.
  layer(
    'SAS gradients with (k−1)/2 ≥ D: k=3, D=1 (every dim minimal otherwise)',
    { kind: 'sas', batch: 1, seqLen: 1, heads: 1, headDim: 1, simHeads: 1, simHeadDim: 1, kernelSize: 3, causal: true },
    0,
    1,
    1,
    'fixed known issue conv1d-vjp-pad',
  ),
  layer(
    "SAS gradients with (k−1)/2 ≥ D: k=5, D=2, H'=2H, bidirectional",
    { kind: 'sas', batch: 2, seqLen: 3, heads: 2, headDim: 2, simHeads: 4, simHeadDim: 3, kernelSize: 5, causal: false },
    8,
    1,
    1,
    'fixed known issue conv1d-vjp-pad',
  ),
  // Fixed known issues, their counterexamples kept (docs/reliability.md, "Fixed").
  op('BroadcastTo [] → [0] is empty, not [1] (was tfjs-zero-size)', 'BroadcastTo', [[]], { shape: [0] }, 'fixed known issue tfjs-zero-size'),
  op(
    'MatMul with an empty broadcast batch (was tfjs-zero-size: tfjs divided by zero)',
    'MatMul',
    [
      [0, 1, 2, 1],
      [3, 4, 1],
    ],
    { transposeA: false, transposeB: true },
    'fixed known issue tfjs-zero-size',
  ),
  op(
    'ReduceSum over an empty axis and keepDims=false (was tfjs-zero-size on wasm: garbage)',
    'ReduceSum',
    [[3, 0]],
    { axes: [1], keepDims: false },
    'fixed known issue tfjs-zero-size',
  ),
  op(
    'Conv1d with zero input channels is zeros (was onnx-conv-zero-channels: ONNX Runtime never returned)',
    'Conv1d',
    [
      [1, 0, 3],
      [2, 0, 3],
    ],
    { pad: 1 },
    'fixed known issue onnx-conv-zero-channels',
  ),
  op(
    'MatMul [0,0,1]ᵀ·[1,0,1] (was onnx-matmul-zero-size: FusedMatMul could not broadcast)',
    'MatMul',
    [
      [0, 0, 1],
      [1, 0, 1],
    ],
    { transposeA: true, transposeB: false },
    'fixed known issue onnx-matmul-zero-size',
  ),
  op(
    'MatMul [1,4,0]·[2,0,1] is [2,4,1] zeros (was onnx-matmul-zero-size: ONNX Runtime gave [1,4,1])',
    'MatMul',
    [
      [1, 4, 0],
      [2, 0, 1],
    ],
    { transposeA: false, transposeB: false },
    'fixed known issue onnx-matmul-zero-size',
  ),
  layer(
    'SAS T=1, inputs and weights ×2: gradients that are exactly 0 (was gpujs-cpu-grad-precision)',
    { kind: 'sas', batch: 1, seqLen: 1, heads: 2, headDim: 3, simHeads: 2, simHeadDim: 3, kernelSize: 1, causal: false },
    67029,
    2,
    2,
    'fixed known issue gpujs-cpu-grad-precision',
  ),
  op(
    'Conv1d with pad ≥ k (pad 3, k 2)',
    'Conv1d',
    [
      [2, 3, 2],
      [2, 3, 2],
    ],
    { pad: 3 },
    'fixed known issue conv1d-vjp-pad',
  ),
  layer('GQA 4 heads over 2 kv heads, bidirectional', { kind: 'gqa', batch: 2, seqLen: 4, heads: 4, headDim: 2, kvHeads: 2, causal: false }, 5),
  layer('MQA T=1', { kind: 'mqa', batch: 1, seqLen: 1, heads: 3, headDim: 2, kvHeads: 1, causal: true }, 6),
  layer('MHA H=1 D=1', { kind: 'mha', batch: 1, seqLen: 3, heads: 1, headDim: 1, kvHeads: 1, causal: true }, 7),
  op('ReduceMax over an empty axis is -Infinity', 'ReduceMax', [[2, 0, 3]], { axes: [1], keepDims: false }),
  op('ReduceSum over an empty axis is 0', 'ReduceSum', [[0, 3]], { axes: [0], keepDims: true }),
  op(
    'MatMul with inner dimension 0 is all zeros',
    'MatMul',
    [
      [2, 0],
      [0, 3],
    ],
    { transposeA: false, transposeB: false },
  ),
  op('Softmax of a [2,0] tensor is empty', 'Softmax', [[2, 0]], {}),
  op(
    'Conv1d over an empty batch',
    'Conv1d',
    [
      [0, 2, 4],
      [3, 2, 3],
    ],
    { pad: 1 },
  ),
  op(
    'Add broadcasting against an empty axis',
    'Add',
    [
      [3, 0, 1],
      [1, 2],
    ],
    {},
  ),
];

/** A named layer corner (issue 8 lists T=1, H=1, D'<D, H'=H, k=1 and 5, bidirectional, GQA/MQA). */
function layer(name: string, config: LayerConfig, seed: number, inputScale = 1, weightScale = 1, origin = 'corner named in issue 8'): RegressionCase {
  return {
    name,
    origin,
    case: { kind: 'layer', config, seed, inputScale, weightScale },
  };
}

/** A single-op case (by default a zero-size one: the policy is that ops on empty tensors run and agree with the reference). */
function op(name: string, opName: string, shapes: number[][], attrs: Attrs, origin = 'zero-size policy'): RegressionCase {
  return { name, origin, case: { kind: 'op', op: opName, shapes, attrs, domains: shapes.map(() => 'normal'), seed: 1 } };
}

/**
 * Every fixed case: `FUZZ_REGRESSIONS` plus the counterexample of each known
 * issue in `issues` (run normally where the issue does not show).
 *
 * @example
 * ```ts
 * import { regressionCases } from '@sas/conformance';
 * regressionCases().map((r) => r.name);
 * ```
 */
export function regressionCases(issues: readonly KnownIssue[] = KNOWN_ISSUES): RegressionCase[] {
  return [...FUZZ_REGRESSIONS, ...issues.map((k) => ({ name: `known issue ${k.id}`, origin: k.issue, case: k.case }))];
}

/**
 * The known issue a case runs into, if any, among `issues` (default: this
 * project's `KNOWN_ISSUES`; a backend package may pass its own).
 *
 * @example
 * ```ts
 * import { knownIssueFor } from '@sas/conformance';
 * const issue = { id: 'no-empty', issue: 'empty tensors', affects: () => true, effect: 'skip', case: someCase } as const;
 * knownIssueFor(someCase, { grads: true, backend: 'mine', mode: 'cpu' }, [issue])?.id; // 'no-empty'
 * ```
 */
export function knownIssueFor(c: FuzzCase, ctx: RunContext, issues: readonly KnownIssue[] = KNOWN_ISSUES): KnownIssue | undefined {
  const shows = (k: KnownIssue) => !k.backends || k.backends.includes(ctx.backend) || k.backends.includes(`${ctx.backend}/${ctx.mode}`);
  const hits = issues.filter((k) => shows(k) && k.affects(c, ctx));
  // A skip wins: running the forward pass alone could still hit the skipped defect.
  return hits.find((k) => k.effect === 'skip') ?? hits[0];
}
