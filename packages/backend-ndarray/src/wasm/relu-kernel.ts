import {
  block,
  br,
  brIf,
  f32x4Pmax,
  I32,
  type FunctionDef,
  i32Add,
  i32Const,
  i32GeS,
  i32Shl,
  localGet,
  localSet,
  Locals,
  loop,
  v128Load,
  v128Store,
  v128Zero,
  type Code,
} from './assembler.js';

/**
 * `relu(ptr, n)`: x ← (x < 0 ? 0 : x) for n floats from byte `ptr`, n a
 * multiple of 4, as `f32x4.pmax(x, 0)` — the same select as the reference
 * Relu, so NaN and −0 pass through unchanged.
 *
 * @example
 * ```ts
 * import { reluFunction } from './relu-kernel.js';
 * reluFunction().name; // 'relu'
 * ```
 */
export function reluFunction(): FunctionDef {
  const l = new Locals(['ptr', 'n'], I32);
  const end = l.add('end', I32);
  const g = (name: string) => localGet(l.get(name));
  const body: Code = [
    ...g('ptr'),
    ...g('n'),
    ...i32Const(2),
    ...i32Shl,
    ...i32Add,
    ...localSet(end),
    ...block(
      loop([
        ...g('ptr'),
        ...localGet(end),
        ...i32GeS,
        ...brIf(1),
        ...g('ptr'),
        ...g('ptr'),
        ...v128Load(),
        ...v128Zero,
        ...f32x4Pmax,
        ...v128Store(),
        ...g('ptr'),
        ...i32Const(16),
        ...i32Add,
        ...localSet(l.get('ptr')),
        ...br(0),
      ]),
    ),
  ];
  return { name: 'relu', params: [I32, I32], locals: l.types, body };
}
