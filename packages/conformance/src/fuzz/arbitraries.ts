// fast-check generators of valid fuzz cases. Shapes stay small (every dim ≤ 6)
// so hundreds of cases run in seconds; fast-check shrinks each field toward
// its minimum (T=1, H=1, k=1, a dim of 1), so a counterexample comes out small.

import fc from 'fast-check';
import type { Attrs, LayerConfig } from '@sas/core';
import type { FuzzCase, LayerFuzzCase, OpFuzzCase, ValueDomain } from './cases.js';

const int = (min: number, max: number) => fc.integer({ min, max });
const seedArb = fc.integer({ min: 0, max: 1_000_000 });

/** A dimension of an op input: usually 1–4, sometimes 0 (zero-size tensors must not crash). */
const dimArb = fc.oneof({ arbitrary: int(1, 4), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 });
const shapeArb = (minRank: number, maxRank: number) => fc.array(dimArb, { minLength: minRank, maxLength: maxRank });

/** SAS configs: H'=H (m=1) up to 3H, D' below, equal to or above D, k ∈ {1,3,5}, causal or not. */
const sasConfigArb: fc.Arbitrary<LayerConfig> = fc
  .record({
    batch: int(1, 2),
    seqLen: int(1, 5),
    heads: int(1, 3),
    headDim: int(1, 4),
    mult: int(1, 3),
    simHeadDim: int(1, 6),
    kernelSize: fc.constantFrom(1, 3, 5),
    causal: fc.boolean(),
  })
  .map(({ mult, ...r }) => ({ kind: 'sas' as const, ...r, simHeads: r.heads * mult }));

/** MHA, GQA (any divisor of H as kvHeads) and MQA. */
const baselineConfigArb: fc.Arbitrary<LayerConfig> = fc
  .record({
    kind: fc.constantFrom('mha' as const, 'gqa' as const, 'mqa' as const),
    batch: int(1, 2),
    seqLen: int(1, 5),
    heads: int(1, 4),
    headDim: int(1, 4),
    kvPick: int(0, 3),
    causal: fc.boolean(),
  })
  .map(({ kvPick, ...r }) => {
    const divisors = Array.from({ length: r.heads }, (_, i) => i + 1).filter((d) => r.heads % d === 0);
    const kvHeads = r.kind === 'mha' ? r.heads : r.kind === 'mqa' ? 1 : divisors[kvPick % divisors.length];
    return { ...r, kvHeads };
  });

/**
 * Random layer cases: SAS (weighted 3:1 over the baselines), random inputs
 * at scale ½–2 and weights at 1–2× PyTorch's default init.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { layerCaseArbitrary } from './arbitraries.js';
 * fc.sample(layerCaseArbitrary, 1)[0].config.kind; // 'sas', 'mha', 'gqa' or 'mqa'
 * ```
 */
export const layerCaseArbitrary: fc.Arbitrary<LayerFuzzCase> = fc.record({
  kind: fc.constant('layer' as const),
  config: fc.oneof({ arbitrary: sasConfigArb, weight: 3 }, { arbitrary: baselineConfigArb, weight: 1 }),
  seed: seedArb,
  inputScale: fc.constantFrom(1, 0.5, 2),
  weightScale: fc.constantFrom(1, 2),
});

/** A shape that broadcasts to `full`: some leading axes dropped, some axes set to 1. */
function broadcastableTo(full: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .record({ drop: int(0, full.length), ones: fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }) })
    .map(({ drop, ones }) => full.map((d, i) => (ones[i] ? 1 : d)).slice(drop));
}

const op = (name: string, shapes: number[][], attrs: Attrs, domains: ValueDomain[]) => ({ op: name, shapes, attrs, domains });
type OpPart = ReturnType<typeof op>;

const unaryArb = fc
  .tuple(fc.constantFrom('Neg', 'Exp', 'Log', 'Sqrt', 'Relu', 'Step'), shapeArb(0, 4))
  .map(([name, s]) => op(name, [s], {}, [name === 'Log' || name === 'Sqrt' ? 'positive' : 'normal']));

const binaryArb = fc
  .tuple(fc.constantFrom('Add', 'Sub', 'Mul', 'Div', 'Equal'), shapeArb(0, 4))
  .chain(([name, full]) => fc.tuple(fc.constant(name), broadcastableTo(full), broadcastableTo(full)))
  .map(([name, a, b]) => op(name, [a, b], {}, name === 'Div' ? ['normal', 'nonzero'] : name === 'Equal' ? ['integers', 'integers'] : ['normal', 'normal']));

const matMulArb = fc
  .record({
    batch: shapeArb(0, 2),
    m: int(1, 4),
    k: fc.oneof({ arbitrary: int(1, 4), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 }),
    n: int(1, 4),
    transposeA: fc.boolean(),
    transposeB: fc.boolean(),
  })
  .chain((r) => fc.tuple(fc.constant(r), broadcastableTo(r.batch), broadcastableTo(r.batch)))
  .map(([{ m, k, n, transposeA, transposeB }, ba, bb]) =>
    op(
      'MatMul',
      [
        [...ba, ...(transposeA ? [k, m] : [m, k])],
        [...bb, ...(transposeB ? [n, k] : [k, n])],
      ],
      { transposeA, transposeB },
      ['normal', 'normal'],
    ),
  );

const conv1dArb = fc
  .record({
    n: int(0, 2),
    c: fc.oneof({ arbitrary: int(1, 3), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 }),
    o: int(1, 3),
    k: int(1, 5),
    padPick: int(0, 4),
    extra: int(0, 3),
  })
  .map(({ n, c, o, k, padPick, extra }) => {
    const pad = padPick % (k + 2); // pad ≥ k too, as PyTorch allows (one case in five or so)
    const l = Math.max(1, k - 2 * pad) + extra; // output length L + 2·pad − k + 1 ≥ 1
    return op(
      'Conv1d',
      [
        [n, c, l],
        [o, c, k],
      ],
      { pad },
      ['normal', 'normal'],
    );
  });

const reduceArb = fc
  .tuple(fc.constantFrom('ReduceSum', 'ReduceMax'), shapeArb(1, 4), fc.boolean())
  .chain(([name, s, keepDims]) =>
    fc.tuple(
      fc.constant(name),
      fc.constant(s),
      fc.subarray(
        s.map((_, i) => i),
        { minLength: 1 },
      ),
      fc.constant(keepDims),
    ),
  )
  .map(([name, s, axes, keepDims]) => op(name, [s], { axes: [...axes].sort((a, b) => a - b), keepDims }, ['normal']));

const softmaxArb = shapeArb(1, 4).map((s) => op('Softmax', [s], {}, ['normal']));

const causalMaskArb = fc.tuple(shapeArb(2, 4), fc.constantFrom('neg-inf', 'zero')).map(([s, fill]) => op('CausalMask', [s], { fill }, ['normal']));

const reshapeArb = fc
  .tuple(shapeArb(0, 4), fc.integer({ min: 0, max: 2 }))
  .chain(([s, ones]) =>
    fc.tuple(fc.constant(s), fc.shuffledSubarray([...s, ...Array<number>(ones).fill(1)], { minLength: s.length + ones, maxLength: s.length + ones })),
  )
  .map(([s, target]) => op('Reshape', [s], { shape: target }, ['normal']));

const transposeArb = shapeArb(0, 4)
  .chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.shuffledSubarray(
        s.map((_, i) => i),
        { minLength: s.length, maxLength: s.length },
      ),
    ),
  )
  .map(([s, perm]) => op('Transpose', [s], { perm }, ['normal']));

const broadcastToArb = shapeArb(0, 4)
  .chain((full) => fc.tuple(fc.constant(full), broadcastableTo(full)))
  .map(([full, s]) => op('BroadcastTo', [s], { shape: full }, ['normal']));

const flipArb = shapeArb(1, 4)
  .chain((s) => fc.tuple(fc.constant(s), int(0, s.length - 1)))
  .map(([s, axis]) => op('Flip', [s], { axis }, ['normal']));

/**
 * Random single-op cases covering all 21 primitives, with broadcasting,
 * transposes, paddings, reduction axes and zero-size dimensions.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { opCaseArbitrary } from './arbitraries.js';
 * fc.sample(opCaseArbitrary, 1)[0].op; // e.g. 'MatMul'
 * ```
 */
export const opCaseArbitrary: fc.Arbitrary<OpFuzzCase> = fc
  .tuple(
    fc.oneof(
      { arbitrary: unaryArb, weight: 3 },
      { arbitrary: binaryArb, weight: 4 },
      { arbitrary: matMulArb, weight: 3 },
      { arbitrary: conv1dArb, weight: 2 },
      { arbitrary: reduceArb, weight: 2 },
      { arbitrary: softmaxArb, weight: 1 },
      { arbitrary: causalMaskArb, weight: 1 },
      { arbitrary: reshapeArb, weight: 1 },
      { arbitrary: transposeArb, weight: 1 },
      { arbitrary: broadcastToArb, weight: 1 },
      { arbitrary: flipArb, weight: 1 },
    ) as fc.Arbitrary<OpPart>,
    seedArb,
  )
  .map(([part, seed]) => ({ kind: 'op' as const, ...part, seed }));

/** Either kind of case. */
export const fuzzCaseArbitrary: fc.Arbitrary<FuzzCase> = fc.oneof(layerCaseArbitrary, opCaseArbitrary);
