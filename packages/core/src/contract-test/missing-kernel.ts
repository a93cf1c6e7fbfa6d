// Must not compile: the table lacks the primitive op Flip, and the compiler names it.
import type { GraphContext, KernelTable } from '../backend/types.js';
import type { RefTensor } from '../ops/op.js';
import { REFERENCE_KERNELS } from '../reference/interpreter.js';

const { Flip: _flip, ...withoutFlip } = REFERENCE_KERNELS;

// error below: Property 'Flip' is missing
export const missing = withoutFlip satisfies KernelTable<RefTensor, GraphContext>;
