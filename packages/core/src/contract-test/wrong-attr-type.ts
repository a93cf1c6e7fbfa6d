// Must not compile: each marked statement misreads or miswrites an op's attributes.
import type { KernelFn } from '../backend/types.js';
import { GraphBuilder } from '../ir/builder.js';

// Conv1d's pad is a number, not a list.
// error below: Property 'length' does not exist on type 'number'
export const readsPadAsList: KernelFn<number, void, 'Conv1d'> = (_inputs, node) => node.attrs.pad.length;

// Transpose has a perm, not an axis.
// error below: Property 'axis' does not exist
export const readsMissingAttr: KernelFn<number, void, 'Transpose'> = (_inputs, node) => node.attrs.axis;

const b = new GraphBuilder();
const x = b.input('x', [1, 2, 8]);
// apply checks the attributes of the op it names.
// error below: Type 'string' is not assignable to type 'number'
b.apply('Conv1d', [x, b.param('w', [3, 2, 3])], { pad: '1' });
