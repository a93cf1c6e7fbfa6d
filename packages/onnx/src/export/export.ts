import { castTensor, constantValues, ownValue, fmtShape, leafName, lowerGraph, planExecution, SasError, sameShape, type Graph, type Tensor } from '@sas/core';
import { encodeElements, OnnxEmitter } from './emitter.js';
import { constantResult } from './empty.js';
import { encodeModel, type OnnxModel, type OnnxValueInfo } from './model-proto.js';
import { exporterFor, hasOnnxMapping, ONNX_IR_VERSION, ONNX_OPSET } from './op-map.js';

/** Options of `exportOnnx` / `buildOnnxModel`. */
export interface OnnxExportOptions {
  /**
   * Values of `Param` nodes by name: each one given becomes an initializer
   * under the param's name. Params without a value become graph inputs.
   */
  readonly weights?: Readonly<Record<string, Tensor>>;
  /**
   * Export only these outputs and what they need. Default: the graph's
   * primary outputs, `defaultOnnxOutputs(graph)` (a layer's `output`, not
   * its `trace.*` diagnostics).
   */
  readonly outputs?: readonly string[];
  /**
   * How Conv1d is written: 'Conv' (ONNX Conv), 'MatMul' (im2col: Pad, Slice,
   * Concat, MatMul) or 'auto' (default: Conv for float32, MatMul for float64,
   * since ONNX Runtime's CPU provider has no double Conv).
   */
  readonly conv?: 'auto' | 'Conv' | 'MatMul';
  /** GraphProto.name (default 'sas'). */
  readonly name?: string;
  /** ModelProto.doc_string. */
  readonly docString?: string;
  /** Written as metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
}

const PRODUCER = '@sas/onnx';

/** Outputs named so are diagnostics (a layer's similarity maps and attention weights), exported only when asked for. */
const TRACE_PREFIX = 'trace.';

/**
 * The outputs `exportOnnx` writes when `outputs` is not given: every output
 * of the graph except its `trace.*` diagnostics (for a layer `output`, for
 * the char GPT `logits` and `loss`), or all of them if every one is a trace.
 * Traces cost compute and memory in a deployed model (`trace.attention` is
 * T×T per head), so they are exported only when named.
 *
 * @example
 * ```ts
 * import { buildLayer } from '@sas/core';
 * import { defaultOnnxOutputs } from '@sas/onnx';
 * const config = { kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * defaultOnnxOutputs(buildLayer(config)); // ['output']
 * ```
 */
export function defaultOnnxOutputs(graph: Graph): string[] {
  const all = Object.keys(graph.outputs);
  const primary = all.filter((name) => !name.startsWith(TRACE_PREFIX));
  return primary.length > 0 ? primary : all;
}
const PRODUCER_VERSION = '0.1.0';

/**
 * Translates a core graph into an ONNX model description (not yet encoded).
 * Inputs keep their names, params keep theirs (as initializers when `weights`
 * holds them, else as inputs), and each output is an `Identity` onto its name.
 *
 * @example
 * ```ts
 * import { GraphBuilder, exp } from '@sas/core';
 * import { buildOnnxModel } from '@sas/onnx';
 * const b = new GraphBuilder('float32');
 * b.output('y', exp(b.input('x', [3])));
 * buildOnnxModel(b.build()).graph.nodes.map((n) => n.opType); // ['Exp', 'Identity']
 * ```
 */
export function buildOnnxModel(source: Graph, options: OnnxExportOptions = {}): OnnxModel {
  // Composite ops without an ONNX form (Attention, AttentionGrad) become their primitive chains.
  const graph = lowerGraph(source, (op) => hasOnnxMapping(op, source.dtype), 'onnx export');
  const plan = planExecution(graph, options.outputs ?? defaultOnnxOutputs(source));
  const weights = options.weights ?? {};
  const outputNames = Object.keys(plan.outputs);
  const feedNames = graph.nodes.filter((n) => n.op === 'Input' || n.op === 'Param').map(leafName);
  for (const name of outputNames) {
    if (feedNames.includes(name))
      throw new SasError('E_GRAPH', `exportOnnx: output '${name}' has the name of an input or param; ONNX value names must be unique`);
  }
  const e = new OnnxEmitter(graph.dtype, new Set([...feedNames, ...outputNames]));
  const elemType = e.elemType;
  const conv = options.conv ?? 'auto';
  e.convAsMatMul = conv === 'MatMul' || (conv === 'auto' && graph.dtype === 'float64');
  const inputs: OnnxValueInfo[] = [];
  const value = new Map<number, string>();

  for (const id of plan.order) {
    const node = graph.nodes[id];
    if (node.op === 'Input' || node.op === 'Param') {
      const name = leafName(node);
      const w = node.op === 'Param' ? ownValue(weights, name) : undefined;
      if (w) {
        if (!sameShape(w.shape, node.shape))
          throw new SasError('E_WEIGHTS', `exportOnnx: weight '${name}' has shape ${fmtShape(w.shape)}, the graph expects ${fmtShape(node.shape)}`);
        const data = w.dtype === graph.dtype ? w : castTensor(w, graph.dtype);
        e.initializer(elemType, node.shape, encodeElements(data.data, graph.dtype), name);
      } else {
        inputs.push({ name, elemType, shape: node.shape });
      }
      value.set(id, name);
    } else if (node.op === 'Constant') {
      value.set(id, e.floats(constantValues(node), node.shape));
    } else {
      e.scope = `n${id}_${node.op}/`;
      value.set(
        id,
        constantResult(node, graph, e) ??
          exporterFor(node.op)(
            node.inputs.map((i) => value.get(i)!),
            node,
            { e, graph },
          ),
      );
    }
  }
  e.scope = 'output/';
  const outputs: OnnxValueInfo[] = outputNames.map((name) => {
    const id = plan.outputs[name];
    e.node('Identity', [value.get(id)!], [], name);
    return { name, elemType, shape: graph.nodes[id].shape };
  });
  return {
    irVersion: ONNX_IR_VERSION,
    opsetVersion: ONNX_OPSET,
    producerName: PRODUCER,
    producerVersion: PRODUCER_VERSION,
    docString: options.docString,
    graph: { name: options.name ?? 'sas', nodes: e.nodes, initializers: usedInitializers(e), inputs, outputs },
    metadata: options.metadata,
  };
}

/**
 * The initializers some node reads. A core Constant that an exporter folds
 * into an attribute-like initializer of its own (constant ids become int64
 * rows) leaves its float initializer unread; ONNX Runtime would warn and drop it.
 */
function usedInitializers(e: OnnxEmitter) {
  const read = new Set(e.nodes.flatMap((n) => n.inputs));
  return e.initializers.filter((t) => read.has(t.name));
}

/**
 * Exports a core graph as an ONNX model (ModelProto bytes, opset 18, IR 8):
 * every core op as standard ONNX operators, weights as named initializers,
 * outputs under their graph names: the primary ones (`defaultOnnxOutputs`:
 * a layer's `output`) unless `outputs` names others, such as the `trace.*`
 * diagnostics. Load the bytes with ONNX Runtime or any ONNX tool.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { buildLayer, initParams } from '@sas/core';
 * import { exportOnnx } from '@sas/onnx';
 * const config = { kind: 'sas', batch: 1, seqLen: 8, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true } as const;
 * writeFileSync('sas.onnx', exportOnnx(buildLayer(config), { weights: initParams(config, 1) }));
 * ```
 */
export function exportOnnx(graph: Graph, options: OnnxExportOptions = {}): Uint8Array {
  return encodeModel(buildOnnxModel(graph, options));
}
