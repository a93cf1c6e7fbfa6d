import type { DType } from '@sas/core';
import { ONNX_DTYPE, type OnnxAttribute, type OnnxDataType, type OnnxNode, type OnnxTensor } from './model-proto.js';

/**
 * The ONNX element type of a core dtype.
 *
 * @example
 * ```ts
 * import { onnxElemType } from '@sas/onnx';
 * onnxElemType('float64'); // 11 (TensorProto.DOUBLE)
 * ```
 */
export function onnxElemType(dtype: DType): OnnxDataType {
  return dtype === 'float32' ? ONNX_DTYPE.FLOAT : ONNX_DTYPE.DOUBLE;
}

/**
 * Little-endian bytes of numbers as float32, float64, int64 or bool elements
 * (the layout of TensorProto.raw_data).
 *
 * @example
 * ```ts
 * import { encodeElements } from '@sas/onnx';
 * encodeElements([1], 'float32'); // Uint8Array [0, 0, 128, 63]
 * ```
 */
export function encodeElements(values: ArrayLike<number>, kind: DType | 'int64' | 'bool'): Uint8Array {
  const n = values.length;
  if (kind === 'bool') return Uint8Array.from(values, (v) => (v ? 1 : 0));
  const size = kind === 'float32' ? 4 : 8;
  const bytes = new Uint8Array(n * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    if (kind === 'float32') view.setFloat32(i * 4, values[i], true);
    else if (kind === 'float64') view.setFloat64(i * 8, values[i], true);
    else view.setBigInt64(i * 8, BigInt(values[i]), true);
  }
  return bytes;
}

/**
 * Collects the ONNX nodes and constant initializers that one core graph turns
 * into, handing out value names that cannot collide with the graph's own
 * input, param and output names.
 *
 * @example
 * ```ts
 * import { OnnxEmitter } from '@sas/onnx';
 * const e = new OnnxEmitter('float32', new Set(['x']));
 * const y = e.node('Relu', ['x']);            // a fresh name such as '_1'
 * const axes = e.int64s([-1]);                // an int64 initializer
 * ```
 */
export class OnnxEmitter {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly elemType: OnnxDataType;
  private counter = 0;
  /** Small anonymous constants (shapes, axes, scalars) by content, so each is stored once. */
  private readonly shared = new Map<string, string>();
  private readonly memos = new Map<string, unknown>();
  /** Name of the core node being exported, used to name its ONNX nodes. */
  scope = '';
  /** Write Conv1d as an im2col MatMul instead of Conv (for runtimes without a double Conv). */
  convAsMatMul = false;

  constructor(
    readonly dtype: DType,
    private readonly reserved: ReadonlySet<string>,
  ) {
    this.elemType = onnxElemType(dtype);
  }

  /** A value name no feed or output of the core graph uses. */
  fresh(): string {
    let name: string;
    do name = `_${++this.counter}`;
    while (this.reserved.has(name));
    return name;
  }

  /** Appends `opType(inputs)` and returns its output name (`output` if given, else a fresh one). */
  node(opType: string, inputs: readonly string[], attributes: readonly OnnxAttribute[] = [], output?: string): string {
    return this.multi(opType, inputs, [true], attributes, output)[0];
  }

  /**
   * Appends a node with several outputs: `wanted[i]` says whether output i
   * is used. Each used one gets a fresh name; an unused optional output is
   * written as '' (ONNX's "absent"), so the runtime need not compute it.
   * Returns the names, '' where not wanted.
   */
  multi(opType: string, inputs: readonly string[], wanted: readonly boolean[], attributes: readonly OnnxAttribute[] = [], output?: string): string[] {
    const outputs = wanted.map((w, i) => (w ? (i === 0 && output !== undefined ? output : this.fresh()) : ''));
    // Trailing absent outputs are simply left off.
    let count = outputs.length;
    while (count > 0 && outputs[count - 1] === '') count--;
    this.nodes.push({ opType, inputs, outputs: outputs.slice(0, count), name: `${this.scope}${opType}_${this.nodes.length}`, attributes });
    return outputs;
  }

  /**
   * The value `make()` computes, computed once per `key` in this model: the
   * nodes that several core nodes need from the same input (a layer norm's
   * centred rows, shared by the forward node and both gradient nodes).
   */
  memo<T>(key: string, make: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = make();
    this.memos.set(key, value);
    return value;
  }

  /** An int64 initializer (shapes, axes, slice bounds); a 1-d tensor unless `dims` is given. */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer(ONNX_DTYPE.INT64, dims, encodeElements(values, 'int64'));
  }

  /** An initializer in the graph's float dtype (a scalar when `dims` is []). */
  floats(values: ArrayLike<number>, dims: readonly number[]): string {
    return this.initializer(this.elemType, dims, encodeElements(values, this.dtype));
  }

  /** A boolean initializer (one byte per element). */
  bools(values: ArrayLike<number | boolean>, dims: readonly number[]): string {
    return this.initializer(ONNX_DTYPE.BOOL, dims, encodeElements(Array.from(values, Number), 'bool'));
  }

  /**
   * An initializer: named (weights keep their names) or anonymous. Anonymous
   * ones up to 256 bytes are shared: the same shape or axes list is stored once.
   */
  initializer(dataType: OnnxDataType, dims: readonly number[], raw: Uint8Array, name?: string): string {
    const key = name === undefined && raw.length <= 256 ? `${dataType}|${dims.join(',')}|${raw.join(',')}` : undefined;
    const existing = key && this.shared.get(key);
    if (existing) return existing;
    const id = name ?? this.fresh();
    this.initializers.push({ name: id, dataType, dims: [...dims], raw });
    if (key) this.shared.set(key, id);
    return id;
  }
}
