import { constantValues, isOpNode, type AttentionOperand, type Graph, type GraphNode, type OpNode } from '@sas/core';
import type { AttentionGradFusion } from './attention-grad-group.js';
import type { ConvWeightGradFusion } from './conv-weight-grad.js';
import { planElementwise, type ElementwiseFusion } from './elementwise-plan.js';
import type { GateFusion } from './gate.js';

/** What the fused attention kernel needs to know beyond its input values. */
export interface AttentionFusion {
  readonly kind: 'attention';
  /** The scores scale (1 when there is no Mul). */
  readonly scale: number;
  readonly causal: boolean;
  /** Node ids of the q and k operands of the scores MatMul, and of v. */
  readonly q: number;
  readonly k: number;
  readonly v: number;
  /**
   * Set when the role sits on a Transpose of the attention output (that keeps
   * the last axis): the kernel writes its rows straight into the permuted
   * layout. `perm` is that Transpose's permutation.
   */
  readonly outPerm?: readonly number[];
}

/**
 * An Add that computes `base (+ bias) (+ addends…)` in one pass, where base
 * is a MatMul or Conv1d whose product runs with these as its epilogue.
 */
export interface GemmFusion {
  readonly kind: 'gemm';
  /** Node id of the MatMul or Conv1d. */
  readonly base: number;
  readonly baseOp: 'MatMul' | 'Conv1d';
  /** Node id of a bias along the last axis (MatMul) or the channel axis (Conv1d). */
  readonly bias?: number;
  /** Node ids of tensors shaped like the output. */
  readonly addends: readonly number[];
  /**
   * Set when the root is `c · Σ_axes (x·w + b)` over axes of x other than
   * its last (batch axes or rows) with an unbatched w (PEAA's sum over
   * groups): computed as `(c · Σ_axes x)·w + c·G·b`, G the number of summed
   * terms, so the product runs on 1/G of the rows.
   */
  readonly reduce?: { readonly axes: readonly number[]; readonly scale: number };
  /**
   * Set when the root is `Σ_batch aᵀ·b` over every batch axis shared by a
   * and b (a weight gradient: `unbroadcast(matMul(g, x, true, false))`):
   * computed as one product with the batch folded into K, so neither the
   * per-batch products nor their sum is ever stored.
   */
  readonly contract?: true;
  /**
   * Set when the root is a Relu of the chain (its output read by several
   * nodes, as in a gradient graph): relu is applied to the finished output,
   * so the pre-activation is never stored.
   */
  readonly relu?: true;
}

/** A node's part in a fusion: computed later by its consumer, or the fused consumer itself. */
export type FusionRole =
  | { readonly kind: 'defer' }
  | AttentionFusion
  | GemmFusion
  | AttentionGradFusion
  | GateFusion
  | ConvWeightGradFusion
  | ElementwiseFusion;

const DEFER: FusionRole = Object.freeze({ kind: 'defer' });

/** The single value of a size-1 Constant node, or undefined. */
function scalarConstant(node: GraphNode): number | undefined {
  if (node.op !== 'Constant') return undefined;
  const value = constantValues(node);
  return value.length === 1 ? value[0] : undefined;
}

/**
 * Finds `softmax(causalMask?(q·kᵀ · c)) · v` chains (what `scaledDotProductAttention`
 * builds) whose intermediates feed nothing else and are not outputs. Their
 * intermediate nodes are deferred and the final MatMul becomes one fused
 * attention kernel, so no [.., Tq, Tk] score tensor is ever stored. Gradient
 * graphs reuse the probabilities, so their chains are left alone.
 *
 * @example
 * ```ts
 * import { buildLayer } from '@sas/core';
 * import { planFusion } from './plan.js';
 * const g = buildLayer({ kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true });
 * [...planFusion(g).values()].filter((r) => r.kind === 'attention').length; // 1
 * ```
 */
export function planFusion(graph: Graph): Map<GraphNode, FusionRole> {
  const nodes = graph.nodes;
  const uses = new Array<number>(nodes.length).fill(0);
  for (const node of nodes) for (const input of new Set(node.inputs)) uses[input]++;
  for (const id of Object.values(graph.outputs)) uses[id]++;
  const single = (id: number) => uses[id] === 1;
  const roles = new Map<GraphNode, FusionRole>();
  const consumer = new Map<number, GraphNode>();
  for (const node of nodes) for (const input of node.inputs) consumer.set(input, node);

  for (const out of nodes) {
    if (out.op !== 'MatMul' || out.attrs.transposeA !== false || out.attrs.transposeB !== false) continue;
    const chain: GraphNode[] = [];
    let id = out.inputs[0];
    if (nodes[id].op !== 'Softmax' || !single(id)) continue;
    chain.push(nodes[id]);
    id = nodes[id].inputs[0];
    let causal = false;
    if (nodes[id].op === 'CausalMask' && nodes[id].attrs.fill === 'neg-inf' && single(id)) {
      causal = true;
      chain.push(nodes[id]);
      id = nodes[id].inputs[0];
    }
    let scale = 1;
    if (nodes[id].op === 'Mul' && single(id)) {
      const [a, b] = nodes[id].inputs;
      const ca = scalarConstant(nodes[a]);
      const cb = scalarConstant(nodes[b]);
      const scoresId = ca !== undefined ? b : cb !== undefined ? a : -1;
      // The constant must not broadcast the scores to a bigger shape.
      if (scoresId < 0 || nodes[scoresId].shape.length !== nodes[id].shape.length) continue;
      scale = (ca ?? cb)!;
      chain.push(nodes[id]);
      id = scoresId;
    }
    const scores = nodes[id];
    if (scores.op !== 'MatMul' || scores.attrs.transposeA !== false || scores.attrs.transposeB !== true || !single(id)) continue;
    chain.push(scores);
    for (const n of chain) roles.set(n, DEFER);
    placeAttention(out, { kind: 'attention', scale, causal, q: scores.inputs[0], k: scores.inputs[1], v: out.inputs[1] }, nodes, single, consumer, roles);
  }
  for (const node of nodes) {
    if (!isOpNode(node, 'Attention')) continue;
    const [q, k, v] = node.inputs;
    placeAttention(node, { kind: 'attention', scale: node.attrs.scale, causal: node.attrs.causal, q, k, v }, nodes, single, consumer, roles);
  }
  planAttentionGrads(nodes, roles);
  planConvWeightGrads(nodes, single, roles);
  planAttentionOperandViews(nodes, uses, roles);
  planEpilogues(nodes, single, roles);
  planReducedProducts(nodes, single, consumer, roles);
  planReluInputs(nodes, uses, roles);
  planReluOutputs(nodes, single, roles);
  planGates(nodes, single, consumer, roles);
  // Last: elementwise chains among the nodes no other fusion took.
  planElementwise(graph, roles);
  return roles;
}

/**
 * Finds `mul(g, step(x))` (Relu's VJP) with g, x and the product all the
 * same shape and the Step used nowhere else: the Step is deferred and the
 * Mul computes g·step(x) in one pass (fusion/gate.ts); when the product's
 * only reader is an Add of a same-shaped value, the Add computes
 * `other + g·step(x)` in that pass instead.
 */
function planGates(
  nodes: readonly GraphNode[],
  single: (id: number) => boolean,
  consumer: ReadonlyMap<number, GraphNode>,
  roles: Map<GraphNode, FusionRole>,
): void {
  for (const mul of nodes) {
    if (mul.op !== 'Mul' || roles.has(mul) || mul.inputs[0] === mul.inputs[1]) continue;
    const k = mul.inputs.findIndex((id) => nodes[id].op === 'Step' && single(id) && !roles.has(nodes[id]));
    if (k < 0) continue;
    const step = nodes[mul.inputs[k]];
    const other = nodes[mul.inputs[1 - k]];
    if (!sameShape(nodes[step.inputs[0]].shape, mul.shape) || !sameShape(other.shape, mul.shape)) continue;
    roles.set(step, DEFER);
    // A residual's cotangent joining the branch's: add(other, gated) in the same pass.
    const add = consumer.get(mul.id);
    if (single(mul.id) && add?.op === 'Add' && !roles.has(add) && add.inputs[0] !== add.inputs[1] && sameShape(add.shape, mul.shape)) {
      const addend = add.inputs[0] === mul.id ? add.inputs[1] : add.inputs[0];
      if (sameShape(nodes[addend].shape, mul.shape)) {
        roles.set(mul, DEFER);
        roles.set(add, { kind: 'gate', step: step.id, mul: mul.id, addend });
        continue;
      }
    }
    roles.set(mul, { kind: 'gate', step: step.id, mul: mul.id });
  }
}

/**
 * Finds Conv1d(transpose(x, [1, 0, 2]), transpose(g, [1, 0, 2])) with both
 * transposes read by nothing else (Conv1d's weight gradient as core's VJP
 * writes it): the transposes are deferred and the conv reads x and g as
 * they lie (fusion/conv-weight-grad.ts).
 */
function planConvWeightGrads(nodes: readonly GraphNode[], single: (id: number) => boolean, roles: Map<GraphNode, FusionRole>): void {
  const swapsLeadingAxes = (id: number) => {
    const node = nodes[id];
    if (!isOpNode(node, 'Transpose')) return false;
    const { perm } = node.attrs;
    return perm.length === 3 && perm[0] === 1 && perm[1] === 0 && perm[2] === 2 && single(id) && !roles.has(node);
  };
  for (const conv of nodes) {
    if (conv.op !== 'Conv1d' || roles.has(conv) || conv.inputs[0] === conv.inputs[1]) continue;
    if (!conv.inputs.every(swapsLeadingAxes)) continue;
    for (const id of conv.inputs) roles.set(nodes[id], DEFER);
    roles.set(conv, { kind: 'conv-weight-grad' });
  }
}

/**
 * Gives the fused attention's role to `out` (an Attention node, or the last
 * MatMul of a chain): head-layout transposes around it ([B,T,H,D] ↔
 * [B,H,T,D]) that feed nothing else become strided reads, and a
 * row-preserving Transpose of its output becomes a strided write.
 */
function placeAttention(
  out: GraphNode,
  role: AttentionFusion,
  nodes: readonly GraphNode[],
  single: (id: number) => boolean,
  consumer: ReadonlyMap<number, GraphNode>,
  roles: Map<GraphNode, FusionRole>,
): void {
  for (const id of new Set([role.q, role.k, role.v])) if (rowPreserving(nodes[id]) && single(id)) roles.set(nodes[id], DEFER);
  const after = consumer.get(out.id);
  if (after && single(out.id) && rowPreserving(after)) {
    roles.set(out, DEFER);
    roles.set(after, { ...role, outPerm: after.attrs.perm });
  } else roles.set(out, role);
}

/**
 * Defers head-layout transposes (row-preserving) whose every consumer is an
 * Attention or AttentionGrad node: those kernels read their operands through
 * row views, so in a gradient graph q, k, v and the incoming cotangent are
 * never copied into the [B,H,T,D] layout, however many of them read it.
 */
function planAttentionOperandViews(nodes: readonly GraphNode[], uses: readonly number[], roles: Map<GraphNode, FusionRole>): void {
  const readers = new Map<number, number>();
  for (const node of nodes) {
    if (node.op !== 'Attention' && node.op !== 'AttentionGrad') continue;
    for (const id of new Set(node.inputs)) readers.set(id, (readers.get(id) ?? 0) + 1);
  }
  for (const [id, count] of readers) {
    const node = nodes[id];
    if (count === uses[id] && rowPreserving(node) && !roles.has(node)) roles.set(node, DEFER);
  }
}

/**
 * Groups the AttentionGrad nodes of one attention (same inputs, scale and
 * mask; one per operand): the first to run computes them all in one
 * blocked pass, recomputing the probabilities once instead of three times.
 */
function planAttentionGrads(nodes: readonly GraphNode[], roles: Map<GraphNode, FusionRole>): void {
  const groups = new Map<string, Map<AttentionOperand, GraphNode>>();
  for (const node of nodes) {
    if (!isOpNode(node, 'AttentionGrad')) continue;
    const key = `${node.inputs.join(',')}|${node.attrs.scale}|${node.attrs.causal}`;
    const group = groups.get(key) ?? new Map<AttentionOperand, GraphNode>();
    groups.set(key, group);
    const { wrt } = node.attrs;
    if (!group.has(wrt)) group.set(wrt, node);
  }
  for (const group of groups.values()) for (const node of group.values()) roles.set(node, { kind: 'attention-grad', siblings: group });
}

/**
 * Finds `[c ·] reduceSum(matMul(x, w) [+ b], axes)` with w of rank 2, x not
 * transposed and the axes not the last one (batch axes, or the row axis as
 * in PEAA's sum over groups), and marks the sum (or the Mul) as a reduce
 * root: by linearity the sum can be taken before the product, which then
 * runs on 1/G of the rows.
 */
function planReducedProducts(
  nodes: readonly GraphNode[],
  single: (id: number) => boolean,
  consumer: ReadonlyMap<number, GraphNode>,
  roles: Map<GraphNode, FusionRole>,
): void {
  for (const rs of nodes) {
    if (!isOpNode(rs, 'ReduceSum') || roles.has(rs) || !single(rs.inputs[0])) continue;
    const inner = nodes[rs.inputs[0]];
    const role = roles.get(inner);
    let base: GraphNode;
    let bias: number | undefined;
    if (role?.kind === 'gemm' && role.baseOp === 'MatMul' && role.addends.length === 0 && !role.reduce) {
      base = nodes[role.base];
      bias = role.bias;
    } else if (!role && inner.op === 'MatMul') base = inner;
    else continue;
    const rank = base.shape.length;
    const { axes } = rs.attrs;
    if (base === inner && isBatchContraction(base, axes, nodes)) {
      roles.set(base, DEFER);
      roles.set(rs, { kind: 'gemm', base: base.id, baseOp: 'MatMul', addends: [], contract: true });
      continue;
    }
    const x = nodes[base.inputs[0]];
    if (
      base.attrs.transposeA !== false ||
      nodes[base.inputs[1]].shape.length !== 2 ||
      x.shape.length !== rank ||
      axes.length === 0 ||
      axes.some((a) => a >= rank - 1)
    )
      continue;
    let root: GraphNode = rs;
    let scale = 1;
    const user = consumer.get(rs.id);
    if (single(rs.id) && user?.op === 'Mul' && sameShape(user.shape, rs.shape)) {
      const other = nodes[user.inputs[0] === rs.id ? user.inputs[1] : user.inputs[0]];
      const c = scalarConstant(other);
      if (c !== undefined && user.inputs[0] !== user.inputs[1]) {
        roles.set(rs, DEFER);
        root = user;
        scale = c;
      }
    }
    if (inner !== base) roles.set(inner, DEFER);
    roles.set(base, DEFER);
    roles.set(root, { kind: 'gemm', base: base.id, baseOp: 'MatMul', bias, addends: [], reduce: { axes, scale } });
  }
}

/** A Transpose that keeps the last axis last: each logical row is still a contiguous run of its input. */
function rowPreserving(node: GraphNode): node is OpNode<'Transpose'> {
  if (!isOpNode(node, 'Transpose')) return false;
  const { perm } = node.attrs;
  return perm.length >= 2 && perm[perm.length - 1] === perm.length - 1;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** True when `bias` broadcast onto `base`'s output varies only along the axis the kernel's epilogue supports. */
function biasFits(base: GraphNode, bias: GraphNode): boolean {
  const s = bias.shape;
  if (s.length > base.shape.length) return false;
  if (base.op === 'MatMul') {
    // [.., 1, n]: one value per output column.
    const n = base.shape[base.shape.length - 1];
    return s.length >= 1 && s[s.length - 1] === n && s.slice(0, -1).every((d) => d === 1);
  }
  // Conv1d [N, O, L]: [O, 1] or [1, O, 1], one value per output channel.
  const o = base.shape[1];
  return s.length >= 2 && s[s.length - 1] === 1 && s[s.length - 2] === o && s.slice(0, -2).every((d) => d === 1);
}

/**
 * Folds `Add` chains onto the MatMul or Conv1d under them: `add(conv(x, w), b)`
 * then `add(y, that)` become one product whose epilogue adds the bias and the
 * residual while the output rows are in cache. Nodes are visited in
 * topological order, so inner Adds become roots first and outer ones absorb them.
 */
function planEpilogues(nodes: readonly GraphNode[], single: (id: number) => boolean, roles: Map<GraphNode, FusionRole>): void {
  for (const add of nodes) {
    if (add.op !== 'Add' || roles.has(add)) continue;
    for (const [x, other] of [add.inputs, [add.inputs[1], add.inputs[0]]]) {
      const inner = nodes[x];
      if (x === other || !single(x) || !sameShape(inner.shape, add.shape)) continue;
      const role = roles.get(inner);
      const full = sameShape(nodes[other].shape, add.shape);
      if (!role && (inner.op === 'MatMul' || inner.op === 'Conv1d')) {
        const baseOp = inner.op;
        if (biasFits(inner, nodes[other])) roles.set(add, { kind: 'gemm', base: x, baseOp, bias: other, addends: [] });
        else if (full) roles.set(add, { kind: 'gemm', base: x, baseOp, addends: [other] });
        else continue;
        roles.set(inner, DEFER);
        break;
      }
      if (role?.kind === 'gemm' && full) {
        roles.set(add, { ...role, addends: [...role.addends, other] });
        roles.set(inner, DEFER);
        break;
      }
    }
  }
}

/**
 * Defers a Relu whose every reader can take the pre-activation instead and
 * apply relu itself: a MatMul reading it as its left operand (relu while
 * staging A), or as either operand of Aᵀ·B (`gemm_atb` stages both row by
 * row), possibly through a Reshape read only by such products (a weight
 * gradient's [rows, features] view); a Conv1d reading it as its input
 * (relu while staging x), or through the transpose of a planned conv weight
 * gradient; and a Step (Relu's VJP: step(relu(x)) is step(x)). In a
 * gradient graph the activation then is never stored: the next product,
 * its weight gradient and the gate all read the pre-activation. A reader
 * that cannot read through relu after all (a float64 product of a
 * transposed A) computes the Relu once, as its kernel would have.
 */
function planReluInputs(nodes: readonly GraphNode[], uses: readonly number[], roles: Map<GraphNode, FusionRole>): void {
  const readers = new Map<number, GraphNode[]>();
  for (const node of nodes) {
    for (const input of new Set(node.inputs)) {
      const list = readers.get(input);
      if (list) list.push(node);
      else readers.set(input, [node]);
    }
  }
  // Inside an attention chain the product is computed elsewhere; leave those alone.
  const freeProduct = (user: GraphNode) => {
    const role = roles.get(user);
    return !role || (role.kind === 'defer' && isEpilogueBase(user, roles, nodes));
  };
  const readsAsLeft = (user: GraphNode, id: number) => user.inputs[0] === id && user.inputs[1] !== id;
  const productRead = (user: GraphNode, id: number) => readsAsLeft(user, id) && (user.op === 'MatMul' || user.op === 'Conv1d') && freeProduct(user);
  // Aᵀ·B (a weight gradient) stages both operands row by row, so either may be read through relu.
  const atbRead = (user: GraphNode, id: number) =>
    user.op === 'MatMul' &&
    user.attrs.transposeA === true &&
    user.attrs.transposeB !== true &&
    user.inputs[0] !== user.inputs[1] &&
    user.inputs.includes(id) &&
    freeProduct(user);
  const reshapeForProducts = (user: GraphNode) =>
    user.op === 'Reshape' &&
    !roles.has(user) &&
    uses[user.id] === (readers.get(user.id) ?? []).length &&
    (readers.get(user.id) ?? []).every((r) => atbRead(r, user.id));
  const convWeightGradInput = (user: GraphNode, _id: number) =>
    roles.get(user)?.kind === 'defer' &&
    user.op === 'Transpose' &&
    (readers.get(user.id) ?? []).some((r) => roles.get(r)?.kind === 'conv-weight-grad' && r.inputs[0] === user.id);
  for (const relu of nodes) {
    if (relu.op !== 'Relu' || roles.has(relu)) continue;
    const users = readers.get(relu.id) ?? [];
    // Graph outputs are read by nobody in the graph: uses counts them, readers does not.
    if (users.length === 0 || uses[relu.id] !== users.length) continue;
    const reshapes: GraphNode[] = [];
    const ok = users.every((user) => {
      if (user.op === 'Step') return true;
      if (productRead(user, relu.id) || atbRead(user, relu.id)) return true;
      if (convWeightGradInput(user, relu.id)) return true;
      if (reshapeForProducts(user)) {
        reshapes.push(user);
        return true;
      }
      return false;
    });
    if (!ok) continue;
    roles.set(relu, DEFER);
    for (const r of reshapes) roles.set(r, DEFER);
  }
}

/**
 * Folds a Relu that no product reads through (planReluInputs) onto the
 * MatMul or Conv1d chain under it when that chain feeds nothing else: the
 * chain's root becomes the Relu, which applies relu to the finished output.
 * In a gradient graph the activation is read by the next product, by its
 * weight gradient and by Relu's VJP (g·step(y)), so it is stored; its
 * pre-activation no longer needs to be.
 */
function planReluOutputs(nodes: readonly GraphNode[], single: (id: number) => boolean, roles: Map<GraphNode, FusionRole>): void {
  for (const relu of nodes) {
    if (relu.op !== 'Relu' || roles.has(relu)) continue;
    const x = relu.inputs[0];
    const inner = nodes[x];
    if (!single(x)) continue;
    const role = roles.get(inner);
    if (role?.kind === 'gemm' && !role.reduce && !role.contract && !role.relu) {
      roles.set(inner, DEFER);
      roles.set(relu, { ...role, relu: true });
    } else if (!role && (inner.op === 'MatMul' || inner.op === 'Conv1d')) {
      roles.set(inner, DEFER);
      roles.set(relu, { kind: 'gemm', base: x, baseOp: inner.op, addends: [], relu: true });
    }
  }
}

/**
 * `reduceSum(matMul(a, b, true, false), every batch axis)` with a and b both
 * carrying that batch (no broadcasting): the sum of the batch of aᵢᵀ·bᵢ is
 * the single product of a and b with the batch stacked along K.
 */
function isBatchContraction(mm: GraphNode, axes: readonly number[], nodes: readonly GraphNode[]): boolean {
  const rank = mm.shape.length;
  if (mm.attrs.transposeA !== true || mm.attrs.transposeB !== false || rank < 3) return false;
  if (axes.length !== rank - 2 || axes.some((a, i) => a !== i)) return false;
  const batch = mm.shape.slice(0, -2);
  return mm.inputs.every((id) => nodes[id].shape.length === rank && sameShape(nodes[id].shape.slice(0, -2), batch));
}

/** True when `node` is the product under a gemm root that reads its left operand as is (reduce roots sum it first). */
function isEpilogueBase(node: GraphNode, roles: Map<GraphNode, FusionRole>, nodes: readonly GraphNode[]): boolean {
  for (const n of nodes) {
    const r = roles.get(n);
    if (r?.kind === 'gemm' && r.base === node.id) return !r.reduce;
  }
  return false;
}
