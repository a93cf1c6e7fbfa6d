import { bump, countDown, f32Load, f32Store, I32, i32Const, i32Mul, localGet, localSet, Locals, loop, type Code, type FunctionDef } from './assembler.js';

// The layout moves of `wasmConv1d` (conv.ts) done in the heap: samples arrive
// as one contiguous block [count, C, L] and leave as one [count, O, Lout], so
// JavaScript only copies whole blocks in and out; the per-sample transposes
// and per-channel row copies (a few dozen floats each for SAS's conv over the
// head axis, where per-call overhead dominated) run here.

/**
 * `conv_stage(src, dst, count, channels, length, sampleStride, c4)`: writes
 * sample i's x [channels, length] (contiguous floats from byte `src`, samples
 * back to back) transposed into rows of `c4` floats: x[i, c, l] goes to
 * float (i · sampleStride + l · c4 + c) from byte `dst`. Padding rows and
 * channels are not written (the caller keeps them zero). Counts must not be 0.
 *
 * @example
 * ```ts
 * import { convStageFunction } from './conv-layout-kernel.js';
 * convStageFunction().name; // 'conv_stage'
 * ```
 */
export function convStageFunction(): FunctionDef {
  const l = new Locals(['src', 'dst', 'count', 'channels', 'length', 'sampleStride', 'c4'], I32);
  for (const n of ['c', 'j', 'rowBytes', 'sampleBytes', 'di', 'dc', 'dp']) l.add(n, I32);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  // Innermost: one channel's `length` values, read in order, written a row (c4 floats) apart.
  const values: Code = [
    ...g('dp'),
    ...g('src'),
    ...f32Load(),
    ...f32Store(),
    ...bump(l.get('src'), i32Const(4)),
    ...bump(l.get('dp'), g('rowBytes')),
    ...countDown(l.get('j')),
  ];
  const channel: Code = [...g('dc'), ...s('dp'), ...g('length'), ...s('j'), ...loop(values), ...bump(l.get('dc'), i32Const(4)), ...countDown(l.get('c'))];
  const sample: Code = [
    ...g('di'),
    ...s('dc'),
    ...g('channels'),
    ...s('c'),
    ...loop(channel),
    ...bump(l.get('di'), g('sampleBytes')),
    ...countDown(l.get('count')),
  ];
  const body: Code = [
    ...g('c4'),
    ...i32Const(4),
    ...i32Mul,
    ...s('rowBytes'),
    ...g('sampleStride'),
    ...i32Const(4),
    ...i32Mul,
    ...s('sampleBytes'),
    ...g('dst'),
    ...s('di'),
    ...loop(sample),
  ];
  return { name: 'conv_stage', params: [I32, I32, I32, I32, I32, I32, I32], locals: l.types, body };
}

/**
 * `conv_gather(src, dst, count, channels, length, ld, sampleStride)`: the
 * product block holds output channel o of sample i as `length` floats from
 * float (o · ld + i · sampleStride) of byte `src`; this copies them to
 * [count, channels, length] contiguous from byte `dst`. Counts must not be 0.
 *
 * @example
 * ```ts
 * import { convGatherFunction } from './conv-layout-kernel.js';
 * convGatherFunction().name; // 'conv_gather'
 * ```
 */
export function convGatherFunction(): FunctionDef {
  const l = new Locals(['src', 'dst', 'count', 'channels', 'length', 'ld', 'sampleStride'], I32);
  for (const n of ['c', 'j', 'ldBytes', 'sampleBytes', 'si', 'sc', 'sp']) l.add(n, I32);
  const g = (name: string) => localGet(l.get(name));
  const s = (name: string) => localSet(l.get(name));
  const values: Code = [
    ...g('dst'),
    ...g('sp'),
    ...f32Load(),
    ...f32Store(),
    ...bump(l.get('dst'), i32Const(4)),
    ...bump(l.get('sp'), i32Const(4)),
    ...countDown(l.get('j')),
  ];
  const channel: Code = [...g('sc'), ...s('sp'), ...g('length'), ...s('j'), ...loop(values), ...bump(l.get('sc'), g('ldBytes')), ...countDown(l.get('c'))];
  const sample: Code = [
    ...g('si'),
    ...s('sc'),
    ...g('channels'),
    ...s('c'),
    ...loop(channel),
    ...bump(l.get('si'), g('sampleBytes')),
    ...countDown(l.get('count')),
  ];
  const body: Code = [
    ...g('ld'),
    ...i32Const(4),
    ...i32Mul,
    ...s('ldBytes'),
    ...g('sampleStride'),
    ...i32Const(4),
    ...i32Mul,
    ...s('sampleBytes'),
    ...g('src'),
    ...s('si'),
    ...loop(sample),
  ];
  return { name: 'conv_gather', params: [I32, I32, I32, I32, I32, I32, I32], locals: l.types, body };
}
