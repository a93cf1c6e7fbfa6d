import {
  add,
  broadcastTo,
  causalMask,
  conv1d,
  div,
  equal,
  exp,
  flip,
  GraphBuilder,
  log,
  matMul,
  mul,
  neg,
  reduceMax,
  reduceSum,
  relu,
  reshape,
  seededRandom,
  softmax,
  sqrt,
  step,
  sub,
  transpose,
  type Graph,
  type NodeRef,
  type Tensor,
} from '@sas/core';
import { randomTensor } from './harness.js';

/** One random graph around one op, with its feeds. */
export interface OpCase {
  readonly name: string;
  readonly graph: Graph;
  readonly feeds: Record<string, Tensor>;
}

type Rng = () => number;
type Values = 'normal' | 'positive' | 'small-ints';

/** The ways an op's input is produced: straight from a feed, or through each kind of view the backend keeps lazily. */
const VIEW_KINDS = ['plain', 'transpose', 'flip', 'scale', 'broadcast', 'reshape', 'transpose-reshape', 'mask-zero'] as const;
type ViewKind = (typeof VIEW_KINDS)[number];

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const shapeOf = (rng: Rng, rank: number, max = 5) => Array.from({ length: rank }, () => int(rng, 1, max));
const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);

function permutation(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** A shape that broadcasts to `shape`: some axes set to 1, maybe fewer leading axes. */
function broadcastable(rng: Rng, shape: readonly number[]): number[] {
  const drop = shape.length > 0 && rng() < 0.3 ? int(rng, 1, shape.length) : 0;
  return shape.slice(drop).map((d) => (rng() < 0.4 ? 1 : d));
}

/** Builds one graph case; `feed` adds an input of `shape` reached through a random view kind. */
class CaseBuilder {
  readonly b = new GraphBuilder('float32');
  readonly feeds: Record<string, Tensor> = {};
  readonly kinds: string[] = [];
  constructor(
    readonly rng: Rng,
    readonly seed: number,
  ) {}

  feed(shape: readonly number[], values: Values = 'normal', allowed: readonly ViewKind[] = VIEW_KINDS): NodeRef {
    const name = `x${Object.keys(this.feeds).length}`;
    const usable = allowed.filter((k) => shape.length > 0 || ['plain', 'scale', 'reshape'].includes(k));
    const kind = pick(
      this.rng,
      usable.filter((k) => k !== 'mask-zero' || shape.length >= 2),
    );
    this.kinds.push(kind);
    const input = (s: readonly number[]) => {
      this.feeds[name] = randomTensor(s, this.seed * 131 + Object.keys(this.feeds).length, values);
      return this.b.input(name, s);
    };
    switch (kind) {
      case 'plain':
        return input(shape);
      case 'transpose': {
        const p = permutation(this.rng, shape.length);
        const fed = new Array<number>(shape.length);
        p.forEach((src, i) => (fed[src] = shape[i]));
        return transpose(input(fed), p);
      }
      case 'flip':
        return flip(input(shape), int(this.rng, -shape.length, shape.length - 1));
      case 'scale':
        return this.rng() < 0.5 ? mul(input(shape), 0.75) : mul(1.25, input(shape));
      case 'broadcast':
        return broadcastTo(input(broadcastable(this.rng, shape)), shape);
      case 'reshape':
        return reshape(input([size(shape)]), shape);
      case 'transpose-reshape': {
        // A transposed view is not row-major: the reshape has to copy it.
        const n = size(shape);
        const a = pick(
          this.rng,
          [1, 2, 3, 4, 5].filter((d) => n % d === 0),
        );
        return reshape(transpose(input([a, n / a]), [1, 0]), shape);
      }
      case 'mask-zero':
        return causalMask(input(shape), 'zero');
    }
  }

  done(name: string, out: NodeRef): OpCase {
    this.b.output('y', out);
    return { name: `${name} via ${this.kinds.join('+')}`, graph: this.b.build(), feeds: this.feeds };
  }
}

const UNARY: Record<string, [(x: NodeRef) => NodeRef, Values]> = {
  Neg: [neg, 'normal'],
  Exp: [exp, 'normal'],
  Log: [log, 'positive'],
  Sqrt: [sqrt, 'positive'],
  Relu: [relu, 'normal'],
  Step: [step, 'normal'],
};
const BINARY: Record<string, [(a: NodeRef, b: NodeRef) => NodeRef, Values, Values]> = {
  Add: [add, 'normal', 'normal'],
  Sub: [sub, 'normal', 'normal'],
  Mul: [mul, 'normal', 'normal'],
  Div: [div, 'normal', 'positive'],
  Equal: [equal, 'small-ints', 'small-ints'],
};
/** View kinds that keep positive values positive (a zero mask would feed log(0) or 1/0). */
const NO_ZEROS = VIEW_KINDS.filter((k) => k !== 'mask-zero');

/**
 * `count` seeded random cases of `op`: random shapes, attributes and input
 * views, each a small graph to compare with the float64 reference.
 *
 * @example
 * ```ts
 * const cases = opCases('MatMul', 7, 6);
 * ```
 */
export function opCases(op: string, seed: number, count: number): OpCase[] {
  return Array.from({ length: count }, (_, n) => oneCase(op, seed * 1000 + n));
}

function oneCase(op: string, seed: number): OpCase {
  const rng = seededRandom(seed);
  const c = new CaseBuilder(rng, seed);
  if (op in UNARY) {
    const [f, values] = UNARY[op];
    const shape = shapeOf(rng, int(rng, 0, 4));
    return c.done(`${op} [${shape}]`, f(c.feed(shape, values, values === 'positive' ? NO_ZEROS : VIEW_KINDS)));
  }
  if (op in BINARY) {
    const [f, va, vb] = BINARY[op];
    const out = shapeOf(rng, int(rng, 0, 4));
    const sa = broadcastable(rng, out);
    const sb = rng() < 0.5 ? out : broadcastable(rng, out);
    return c.done(`${op} [${sa}]·[${sb}]`, f(c.feed(sa, va), c.feed(sb, vb, vb === 'positive' ? NO_ZEROS : VIEW_KINDS)));
  }
  switch (op) {
    case 'MatMul': {
      const batch = shapeOf(rng, int(rng, 0, 2), 3);
      const [m, k, n] = shapeOf(rng, 3, 6);
      const [ta, tb] = [rng() < 0.5, rng() < 0.5];
      const sa = [...broadcastable(rng, batch), ...(ta ? [k, m] : [m, k])];
      const sb = [...broadcastable(rng, batch), ...(tb ? [n, k] : [k, n])];
      return c.done(`MatMul [${sa}]·[${sb}] tA=${ta} tB=${tb}`, matMul(c.feed(sa), c.feed(sb), ta, tb));
    }
    case 'Conv1d': {
      const [n, ch, o] = shapeOf(rng, 3, 4);
      const k = int(rng, 1, 5);
      const pad = int(rng, 0, k - 1);
      const l = int(rng, Math.max(1, k - 2 * pad), 8);
      return c.done(`Conv1d x[${n},${ch},${l}] w[${o},${ch},${k}] pad=${pad}`, conv1d(c.feed([n, ch, l]), c.feed([o, ch, k]), pad));
    }
    case 'ReduceSum':
    case 'ReduceMax': {
      const shape = shapeOf(rng, int(rng, 1, 4));
      const axes = permutation(rng, shape.length)
        .slice(0, int(rng, 1, shape.length))
        .map((a) => (rng() < 0.3 ? a - shape.length : a));
      const keep = rng() < 0.5;
      const f = op === 'ReduceSum' ? reduceSum : reduceMax;
      return c.done(`${op} [${shape}] axes=${axes} keepDims=${keep}`, f(c.feed(shape), axes, keep));
    }
    case 'Softmax': {
      const shape = shapeOf(rng, int(rng, 1, 4), 6);
      const x = c.feed(shape);
      // The attention chain: scale then a −∞ causal mask (fused into the softmax's reads).
      const attention = shape.length >= 2 && rng() < 0.6;
      return c.done(`Softmax [${shape}]${attention ? ' of causalMask(0.5·x)' : ''}`, softmax(attention ? causalMask(mul(x, 0.5), 'neg-inf') : x));
    }
    case 'CausalMask': {
      const shape = [...shapeOf(rng, int(rng, 0, 2), 3), ...shapeOf(rng, 2, 6)];
      const fill = pick(rng, ['neg-inf', 'zero'] as const);
      return c.done(`CausalMask [${shape}] ${fill}`, causalMask(c.feed(shape), fill));
    }
    case 'Reshape': {
      const shape = shapeOf(rng, int(rng, 1, 4));
      const target = permutation(rng, shape.length).map((i) => shape[i]);
      const merged = target.length > 1 && rng() < 0.5 ? [target[0] * target[1], ...target.slice(2)] : target;
      return c.done(`Reshape [${shape}]→[${merged}]`, reshape(c.feed(shape), merged));
    }
    case 'Transpose': {
      const shape = shapeOf(rng, int(rng, 1, 4));
      const perm = permutation(rng, shape.length);
      return c.done(`Transpose [${shape}] perm=${perm}`, transpose(c.feed(shape), perm));
    }
    case 'BroadcastTo': {
      const shape = shapeOf(rng, int(rng, 1, 4));
      const from = broadcastable(rng, shape);
      return c.done(`BroadcastTo [${from}]→[${shape}]`, broadcastTo(c.feed(from), shape));
    }
    case 'Flip': {
      const shape = shapeOf(rng, int(rng, 1, 4));
      const axis = int(rng, -shape.length, shape.length - 1);
      return c.done(`Flip [${shape}] axis=${axis}`, flip(c.feed(shape), axis));
    }
  }
  throw new Error(`no random cases for op ${op}`);
}
