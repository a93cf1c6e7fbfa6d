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

/** A Conv1d op case's pad (0 for any other case). */
const convPad = (c: FuzzCase) => (c.kind === 'op' && c.op === 'Conv1d' && typeof c.attrs.pad === 'number' ? c.attrs.pad : 0);

/** Output length of a Conv1d op case. */
const convOut = (c: FuzzCase) => (c.kind === 'op' && c.op === 'Conv1d' ? c.shapes[0][2] + 2 * convPad(c) - c.shapes[1][2] + 1 : 0);

/** The `shape` attribute of a BroadcastTo/Reshape op case ([] for any other case). */
const shapeAttr = (c: FuzzCase): readonly number[] => (c.kind === 'op' && Array.isArray(c.attrs.shape) ? c.attrs.shape : []);

/** True when an op case has a zero-size input or output (BroadcastTo/Reshape to a shape with a 0). */
const hasZeroSize = (c: FuzzCase) => c.kind === 'op' && [...c.shapes, shapeAttr(c)].some((s) => s.includes(0));

/**
 * Known defects (see `KnownIssue`); remove an entry once its fix lands, and
 * its case moves into `FUZZ_REGRESSIONS` on its own (see `regressionCases`).
 */
export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    id: 'conv1d-vjp-pad',
    issue:
      "core: the gradient graph of a SAS layer with (k−1)/2 ≥ D cannot be built: Conv1d's VJP for the weight convolves with the output (length D) as kernel at pad (k−1)/2, which Conv1d's shape rule refuses (pad must be < kernel size)",
    affects: (c, { grads }) =>
      grads &&
      ((c.kind === 'layer' && c.config.kind === 'sas' && (c.config.kernelSize - 1) / 2 >= c.config.headDim) ||
        (c.kind === 'op' && c.op === 'Conv1d' && convPad(c) >= convOut(c))),
    effect: 'forward-only',
    case: {
      kind: 'layer',
      config: { kind: 'sas', batch: 1, seqLen: 1, heads: 1, headDim: 1, simHeads: 1, simHeadDim: 1, kernelSize: 3, causal: true },
      seed: 0,
      inputScale: 1,
      weightScale: 1,
    },
  },
  {
    id: 'tfjs-zero-size',
    issue:
      'backend-tfjs: zero-size tensors break: its BroadcastTo kernel returns a shape with 1 where the graph has 0 (e.g. BroadcastTo [] → [0] gives [1]), and ReduceMax over an empty axis gives NaN instead of -Infinity',
    backends: ['tfjs'],
    affects: hasZeroSize,
    effect: 'skip',
    case: { kind: 'op', op: 'BroadcastTo', shapes: [[]], attrs: { shape: [0] }, domains: ['normal'], seed: 0 },
  },
  {
    id: 'onnx-conv-zero-channels',
    issue:
      'onnx: a Conv1d with zero input channels (forward, or the weight gradient of a batch-0 Conv1d) never returns: ONNX Runtime hangs on Conv with C=0; the exporter should emit zeros for it',
    backends: ['onnx'],
    affects: (c, { grads }) => c.kind === 'op' && c.op === 'Conv1d' && (c.shapes[0][1] === 0 || (grads && c.shapes[0][0] === 0)),
    effect: 'skip',
    case: {
      kind: 'op',
      op: 'Conv1d',
      shapes: [
        [1, 0, 3],
        [2, 0, 3],
      ],
      attrs: { pad: 1 },
      domains: ['normal', 'normal'],
      seed: 1,
    },
  },
  {
    id: 'onnx-matmul-zero-size',
    issue:
      "onnx: ONNX Runtime mishandles a MatMul with a zero-size axis and broadcast batch axes: FusedMatMul fails ('right operand cannot broadcast on dim 0') for [0,0,1]ᵀ·[1,0,1], and [1,4,0]·[2,0,1] comes back [1,4,1] instead of [2,4,1] zeros",
    backends: ['onnx'],
    affects: (c) => c.kind === 'op' && c.op === 'MatMul' && c.shapes.some((s) => s.includes(0)) && c.shapes.some((s) => s.length > 2),
    effect: 'skip',
    case: {
      kind: 'op',
      op: 'MatMul',
      shapes: [
        [0, 0, 1],
        [1, 0, 1],
      ],
      attrs: { transposeA: true, transposeB: false },
      domains: ['normal', 'normal'],
      seed: 0,
    },
  },
  {
    id: 'gpujs-cpu-grad-precision',
    issue:
      'backend-gpujs (cpu mode): layer gradients with inputs or weights ×2 miss the 1e-4 tolerance by 2–6× (gradients that are exactly 0, e.g. every key gradient at T=1, come out as ~5e-4; webasm, ndarray and tfjs get them within 1e-4)',
    backends: ['gpujs/cpu'],
    affects: (c, { grads }) => grads && c.kind === 'layer' && c.inputScale * c.weightScale >= 2,
    effect: 'forward-only',
    case: {
      kind: 'layer',
      config: { kind: 'sas', batch: 1, seqLen: 1, heads: 2, headDim: 3, simHeads: 2, simHeadDim: 3, kernelSize: 1, causal: false },
      seed: 67029,
      inputScale: 2,
      weightScale: 2,
    },
  },
];

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
function layer(name: string, config: LayerConfig, seed: number, inputScale = 1, weightScale = 1): RegressionCase {
  return { name, origin: 'corner named in issue 8', case: { kind: 'layer', config, seed, inputScale, weightScale } };
}

/** A zero-size op case: the policy is that ops on empty tensors run and agree with the reference. */
function op(name: string, opName: string, shapes: number[][], attrs: Attrs): RegressionCase {
  return { name, origin: 'zero-size policy', case: { kind: 'op', op: opName, shapes, attrs, domains: shapes.map(() => 'normal'), seed: 1 } };
}

/**
 * Every fixed case: `FUZZ_REGRESSIONS` plus the counterexample of each known
 * issue (run normally where the issue does not show).
 *
 * @example
 * ```ts
 * import { regressionCases } from '@sas/conformance/fuzz';
 * regressionCases().map((r) => r.name);
 * ```
 */
export function regressionCases(): RegressionCase[] {
  return [...FUZZ_REGRESSIONS, ...KNOWN_ISSUES.map((k) => ({ name: `known issue ${k.id}`, origin: k.issue, case: k.case }))];
}

/**
 * The known issue a case runs into, if any.
 *
 * @example
 * ```ts
 * import { knownIssueFor, KNOWN_ISSUES } from '@sas/conformance/fuzz';
 * knownIssueFor(KNOWN_ISSUES[0].case, { grads: true, backend: 'ndarray', mode: 'cpu' })?.id; // 'conv1d-vjp-pad'
 * ```
 */
export function knownIssueFor(c: FuzzCase, ctx: RunContext): KnownIssue | undefined {
  const shows = (k: KnownIssue) => !k.backends || k.backends.includes(ctx.backend) || k.backends.includes(`${ctx.backend}/${ctx.mode}`);
  const hits = KNOWN_ISSUES.filter((k) => shows(k) && k.affects(c, ctx));
  // A skip wins: running the forward pass alone could still hit the skipped defect.
  return hits.find((k) => k.effect === 'skip') ?? hits[0];
}
