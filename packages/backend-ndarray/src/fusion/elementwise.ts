import type { GraphNode } from '@sas/core';
import type { KernelContext } from '../context.js';
import { materialize, type Deferred, type Value } from '../deferred.js';
import { alloc, type NdHandle } from '../handle.js';
import { compileProgram, type CompiledProgram } from '../lib/elementwise-codegen.js';
import { compileWasmProgram, type WasmElementwise } from '../wasm/elementwise-kernel.js';
import type { ElementwiseFusion } from './elementwise-plan.js';

/** A group's program compiled once (the roles live as long as their graph): the JavaScript loop, and its WebAssembly twin where one exists. */
interface Compiled {
  readonly js: CompiledProgram;
  /** The wasm form with the JavaScript loop behind it; undefined until a SIMD backend first runs the group, null where there is no wasm form. */
  wasm?: CompiledProgram | null;
}
const compiled = new WeakMap<ElementwiseFusion, Compiled>();

/** The group's compiled program: the WebAssembly form on backends with the SIMD runtime (same bits, faster), else the JavaScript loop. */
function programFor(role: ElementwiseFusion, simd: boolean): CompiledProgram {
  let c = compiled.get(role);
  if (!c) {
    c = { js: compileProgram(role.program) };
    compiled.set(role, c);
  }
  if (!simd) return c.js;
  if (c.wasm === undefined) c.wasm = withFallback(compileWasmProgram(role.program), c.js);
  return c.wasm ?? c.js;
}

/** The wasm form, running the JavaScript loop when it declines the arrays (not float32); null without a wasm form. */
function withFallback(wasm: WasmElementwise | undefined, js: CompiledProgram): CompiledProgram | null {
  if (!wasm) return null;
  return (leaves, outputs) => (wasm(leaves, outputs) ? [] : js(leaves, outputs));
}

/**
 * Runs an elementwise group at its root (its last member): takes the other
 * members' deferred nodes from this run's registry, reads the group's
 * leaves from their inputs and the root's, runs the program once over all
 * elements (generated as one loop, `compileProgram`), and hands every stored member's value to its deferred node.
 * Returns the root's value, or undefined when a member did not run this
 * time (outputs asked for that need only part of the group): the root then
 * runs its own kernel and the members compute themselves when read.
 *
 * @example
 * ```ts
 * // Called by the backend for the root of a group `planElementwise` made; see backend.ts.
 * ```
 */
export function elementwiseFromGroup(inputs: readonly Value[], node: GraphNode, role: ElementwiseFusion, ctx: KernelContext): NdHandle | undefined {
  const values = new Map<number, Value>();
  node.inputs.forEach((id, k) => values.set(id, inputs[k]));
  const members: Deferred[] = [];
  for (const id of role.members) {
    if (id === node.id) continue;
    const member = ctx.deferred?.get(id);
    if (member === undefined) return undefined;
    members.push(member);
    member.node.inputs.forEach((input, k) => values.set(input, member.inputs[k]));
  }
  const leaves = role.leaves.map((id) => values.get(id));
  if (leaves.some((v) => v === undefined)) return undefined;
  // Every program writes each of its outputs whole: no zeroing of recycled storage.
  const outputs = role.stores.map((s) => alloc(node.dtype, s.shape, true));
  const run = programFor(role, ctx.wasm !== undefined);
  const sums = run(
    leaves.map((v) => materialize(v!).data),
    outputs.map((h) => h.data),
  );
  role.stores.forEach((s, k) => ctx.deferred?.get(s.id)?.resolve(outputs[k]));
  if (role.sum) {
    const out = alloc(node.dtype, node.shape);
    out.data[0] = sums[0];
    return out;
  }
  return outputs[role.stores.findIndex((s) => s.id === node.id)];
}
