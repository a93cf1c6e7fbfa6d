// Must compile: a kernel table with every primitive op, one kernel replaced
// by a hand-written one that reads its typed attributes without casts.
import type { GraphContext, KernelTable } from '../backend/types.js';
import type { RefTensor } from '../ops/op.js';
import { REFERENCE_KERNELS } from '../reference/interpreter.js';

export const complete = {
  ...REFERENCE_KERNELS,
  Flip: ([x], node) => {
    const axis: number = node.attrs.axis;
    return { shape: node.shape, data: axis === 0 ? x.data.slice().reverse() : x.data.slice() };
  },
} satisfies KernelTable<RefTensor, GraphContext>;
