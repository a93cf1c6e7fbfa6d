import { isOpNode, sizeOf, type Graph, type GraphNode } from '@sas/core';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type ElementwiseProgram, type Instruction, type Operand, type UnaryOp } from '../lib/elementwise-program.js';

/**
 * A group of elementwise nodes of one element count that runs as one pass
 * (lib/elementwise-program.ts) on its last node, the root; the other members
 * are deferred. Members read by anything outside the group (or graph
 * outputs) are stored and handed to their deferred nodes.
 */
export interface ElementwiseFusion {
  readonly kind: 'elementwise';
  readonly program: ElementwiseProgram;
  /** Node ids of the group's members, ascending (the root last). */
  readonly members: readonly number[];
  /** Node ids whose values the program reads, in its leaf order. */
  readonly leaves: readonly number[];
  /** Members the program stores, in its output order (the root among them unless it is a sum). */
  readonly stores: readonly { readonly id: number; readonly shape: readonly number[] }[];
  /** Set when the root is a ReduceSum over every axis, computed as the program's sum 0. */
  readonly sum?: true;
}

const UNARY = new Set<string>(UNARY_OPS);
const BINARY = new Set<string>(BINARY_OPS);

/** How a member joins: computed elementwise, a Reshape (an alias of its input), or a ReduceSum of everything (the group's last member). */
type MemberKind = 'compute' | 'reshape' | 'sum';

function memberKind(node: GraphNode, nodes: readonly GraphNode[]): MemberKind | undefined {
  if (UNARY.has(node.op) || BINARY.has(node.op)) return 'compute';
  if (node.op === 'Reshape') return 'reshape';
  if (isOpNode(node, 'ReduceSum') && node.attrs.axes.length === nodes[node.inputs[0]].shape.length) return 'sum';
  return undefined;
}

/**
 * How an operand of shape `from` is read for an output of shape `to` it
 * broadcasts to, by flat output index i: value `floor(i / inner) mod count`.
 * Undefined when its kept axes are not one contiguous run (e.g. [a,1,c]
 * against [a,b,c]), which a group does not read.
 *
 * @example
 * ```ts
 * import { broadcastPattern } from './elementwise-plan.js';
 * broadcastPattern([4, 1], [4, 8]); // { inner: 8, count: 4 } (a per-row value)
 * broadcastPattern([8], [4, 8]); // { inner: 1, count: 8 } (a bias row)
 * ```
 */
export function broadcastPattern(from: readonly number[], to: readonly number[]): { inner: number; count: number } | undefined {
  const offset = to.length - from.length;
  if (offset < 0) return undefined;
  let state = 0; // 0: before the kept run, 1: inside it, 2: after it
  let last = -1;
  for (let i = 0; i < to.length; i++) {
    if (to[i] === 1) continue;
    const d = i >= offset ? from[i - offset] : 1;
    if (d === to[i]) {
      if (state === 2) return undefined;
      state = 1;
      last = i;
    } else if (d === 1) {
      if (state === 1) state = 2;
    } else return undefined;
  }
  const count = sizeOf(from);
  let inner = 1;
  for (let i = last + 1; i < to.length; i++) inner *= to[i];
  return { inner: last < 0 ? 1 : inner, count };
}

interface Group {
  members: number[];
  root: number;
  size: number;
  /** True once a sum joined: nothing follows a reduction. */
  closed: boolean;
}

/**
 * Finds groups of elementwise nodes (Add, Sub, Mul, Div, Equal, Neg, Exp,
 * Log, Sqrt, Relu, Step, Tanh; Reshapes between them; a closing ReduceSum
 * over every axis) that no other fusion took, and gives each group of two
 * or more computing members one kernel: its root, the last member. Nodes
 * are visited in order (nodes no output depends on left out); a node joins
 * the groups it reads a member of (merging them) when every reader of their
 * members seen so far is in the group, so the group runs at its root's place
 * with all its inputs ready, and every reader of a stored member comes after
 * it. Operands from outside are read as they lie
 * (same element count), as one value, or as a broadcast row or column
 * (`broadcastPattern`).
 *
 * @example
 * ```ts
 * import { GraphBuilder, add, mul, tanh } from '@sas/core';
 * import { planElementwise } from './elementwise-plan.js';
 * const b = new GraphBuilder();
 * const x = b.input('x', [4, 8]);
 * b.output('y', mul(add(tanh(x), 1), 0.5));
 * const roles = new Map();
 * planElementwise(b.build(), roles);
 * [...roles.values()].filter((r) => r.kind === 'elementwise').length; // 1
 * ```
 */
export function planElementwise(graph: Graph, roles: Map<GraphNode, { readonly kind: string } | ElementwiseFusion>): void {
  const nodes = graph.nodes;
  const outputs = new Set(Object.values(graph.outputs));
  // Nodes no output depends on never run (a VJP's cotangent for a constant): they neither join nor read.
  const live = new Uint8Array(nodes.length);
  for (const id of outputs) live[id] = 1;
  for (let id = nodes.length - 1; id >= 0; id--) if (live[id]) for (const input of nodes[id].inputs) live[input] = 1;
  const readers: number[][] = nodes.map(() => []);
  for (const node of nodes) if (live[node.id]) for (const input of new Set(node.inputs)) readers[input].push(node.id);
  const groupOf = new Map<number, Group>();

  // Every reader seen so far (id < node) of every member is in the union or is the node itself.
  const legal = (groups: readonly Group[], node: GraphNode) => {
    const inUnion = (id: number) => id === node.id || groups.some((g) => groupOf.get(id) === g);
    return groups.every((g) => g.members.every((m) => readers[m].every((r) => r >= node.id || inUnion(r))));
  };
  // Operands from outside the union must be readable as they lie, as one value, or as a broadcast pattern;
  // a Reshape or a sum reads only the root. (Members all have the group's element count, so an operand from
  // the union is laid out like the node's output.)
  const leavesReadable = (groups: readonly Group[], node: GraphNode, kind: MemberKind) =>
    node.inputs.every((id) => groups.some((g) => groupOf.get(id) === g) || (kind === 'compute' && broadcastPattern(nodes[id].shape, node.shape) !== undefined));

  for (const node of nodes) {
    if (roles.has(node) || !live[node.id]) continue;
    const kind = memberKind(node, nodes);
    if (!kind) continue;
    const size = kind === 'sum' ? sizeOf(nodes[node.inputs[0]].shape) : sizeOf(node.shape);
    // The groups this node reads a member of (the group runs at its last member, which finds the others by id).
    const candidates = [...new Set(node.inputs.map((id) => groupOf.get(id)).filter((g): g is Group => g !== undefined))].filter(
      (g) => !g.closed && g.size === size,
    );
    const options = candidates.length > 1 ? [candidates, ...[...candidates].sort((a, b) => b.members.length - a.members.length).map((g) => [g])] : [candidates];
    const chosen = options.find((groups) => groups.length > 0 && legal(groups, node) && leavesReadable(groups, node, kind));
    let group: Group;
    if (chosen) {
      group = chosen[0];
      for (const other of chosen.slice(1)) {
        for (const m of other.members) groupOf.set(m, group);
        group.members.push(...other.members);
      }
      group.members.sort((a, b) => a - b);
      group.members.push(node.id);
      group.root = node.id;
    } else if (kind === 'compute' && leavesReadable([], node, kind)) {
      group = { members: [node.id], root: node.id, size, closed: false };
    } else continue;
    if (kind === 'sum') group.closed = true;
    groupOf.set(node.id, group);
  }

  const DEFER = Object.freeze({ kind: 'defer' });
  for (const group of new Set(groupOf.values())) {
    const computing = group.members.filter((id) => memberKind(nodes[id], nodes) !== 'reshape').length;
    if (computing < 2) continue;
    const members = new Set(group.members);
    const stored = (id: number) => outputs.has(id) || readers[id].some((r) => !members.has(r));
    roles.set(nodes[group.root], compileGroup(nodes, group.members, stored, group.size));
    for (const id of group.members) if (id !== group.root) roles.set(nodes[id], DEFER);
  }
}

/**
 * The register program of a group: one instruction per computing member in
 * node order (registers reused once their last reader ran), a load per
 * broadcast operand, a store per member read outside (`stored`), a sum for
 * a closing ReduceSum.
 */
function compileGroup(nodes: readonly GraphNode[], memberIds: readonly number[], stored: (id: number) => boolean, size: number): ElementwiseFusion {
  const members = new Set(memberIds);
  const root = memberIds[memberIds.length - 1];
  // A Reshape member is its input's value: resolve aliases to the computing member.
  const source = new Map<number, number>();
  const sourceOf = (id: number): number => source.get(id) ?? id;
  for (const id of memberIds) if (nodes[id].op === 'Reshape') source.set(id, sourceOf(nodes[id].inputs[0]));
  // Last instruction reading each computing member's register (its own if no member reads it).
  const lastRead = new Map<number, number>();
  memberIds.forEach((id, k) => {
    lastRead.set(sourceOf(id), Math.max(lastRead.get(sourceOf(id)) ?? k, k));
    for (const input of nodes[id].inputs) if (members.has(input)) lastRead.set(sourceOf(input), k);
  });
  const leaves: number[] = [];
  const leafIndex = (id: number) => {
    const k = leaves.indexOf(id);
    if (k >= 0) return k;
    leaves.push(id);
    return leaves.length - 1;
  };
  const free: number[] = [];
  let registers = 0;
  const take = () => free.pop() ?? registers++;
  const regOf = new Map<number, number>();
  const instructions: Instruction[] = [];
  const stores: { id: number; shape: readonly number[] }[] = [];
  const temps: number[] = [];
  const operand = (id: number, node: GraphNode): Operand => {
    if (members.has(id)) return { kind: 'reg', reg: regOf.get(sourceOf(id))! };
    const leaf = leafIndex(id);
    const pattern = broadcastPattern(nodes[id].shape, node.shape)!;
    if (pattern.count === 1) return { kind: 'scalar', leaf };
    if (pattern.inner === 1 && pattern.count === size) return { kind: 'full', leaf };
    const dst = take();
    temps.push(dst);
    instructions.push({ kind: 'load', dst, leaf, inner: pattern.inner, count: pattern.count });
    return { kind: 'reg', reg: dst };
  };
  let sum = false;
  memberIds.forEach((id, k) => {
    const node = nodes[id];
    if (node.op === 'ReduceSum') {
      instructions.push({ kind: 'sum', reg: regOf.get(sourceOf(node.inputs[0]))!, acc: 0 });
      sum = true;
    } else if (node.op !== 'Reshape') {
      const a = operand(node.inputs[0], node);
      const b = node.inputs.length > 1 ? operand(node.inputs[1], node) : undefined;
      // Operand registers last read here are free before the result is written (same element, read first).
      const read = new Set(node.inputs.filter((input) => members.has(input)).map(sourceOf));
      for (const src of read) if (lastRead.get(src) === k) free.push(regOf.get(src)!);
      free.push(...temps.splice(0));
      const dst = take();
      regOf.set(id, dst);
      instructions.push(b ? { kind: 'binary', op: node.op as BinaryOp, dst, a, b } : { kind: 'unary', op: node.op as UnaryOp, dst, a });
    }
    if (node.op !== 'ReduceSum' && (stored(id) || id === root)) {
      instructions.push({ kind: 'store', reg: regOf.get(sourceOf(id))!, out: stores.length });
      stores.push({ id, shape: node.shape });
    }
    // A member no member reads again: its register is free now (stored already if needed).
    if (node.op !== 'Reshape' && node.op !== 'ReduceSum' && lastRead.get(id) === k) free.push(regOf.get(id)!);
  });
  return {
    kind: 'elementwise',
    program: { size, registers, instructions, outputs: stores.length, sums: sum ? 1 : 0, float32: nodes[root].dtype === 'float32' },
    members: memberIds,
    leaves,
    stores,
    ...(sum ? { sum: true as const } : {}),
  };
}
