import { lowerGraph, type Graph } from '@sas/core';
import { TFJS_KERNELS } from '../kernels/index.js';

const hasKernel = (op: string) => Object.hasOwn(TFJS_KERNELS, op);

/**
 * A few graphs by key, built on first use and lowered to the tfjs kernels
 * once (so `evaluateOnTensors` finds nothing left to rewrite); the oldest is
 * dropped past `capacity`, since a model sees few distinct call shapes.
 *
 * @example
 * ```ts
 * import { buildSAS } from '@sas/core';
 * const cache = new GraphCache(8);
 * const g = cache.get('1x16', () => buildSAS({ kind: 'sas', batch: 1, seqLen: 16, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: false }));
 * ```
 */
export class GraphCache {
  private readonly graphs = new Map<string, Graph>();
  constructor(private readonly capacity: number) {}

  get(key: string, build: () => Graph): Graph {
    let graph = this.graphs.get(key);
    if (!graph) {
      if (this.graphs.size >= this.capacity) this.graphs.delete(this.graphs.keys().next().value!);
      graph = lowerGraph(build(), hasKernel, 'tfjs');
      this.graphs.set(key, graph);
    }
    return graph;
  }
}
