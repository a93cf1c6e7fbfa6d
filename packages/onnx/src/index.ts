/**
 * @sas/onnx — ONNX export of @sas/core graphs (standard operators at opset 18,
 * weights as named initializers) and ONNX Runtime as a conformance backend.
 * The export needs no dependency; the backend loads `onnxruntime-node` lazily.
 */
export { ProtoWriter } from './export/protobuf.js';
export {
  ONNX_DTYPE,
  encodeAttribute,
  encodeGraph,
  encodeModel,
  encodeNode,
  encodeOperatorSetId,
  encodeTensor,
  encodeValueInfo,
  type OnnxAttribute,
  type OnnxDataType,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './export/onnx-proto.js';
export { OnnxEmitter, onnxElemType, encodeElements } from './export/emitter.js';
export { ONNX_EXPORTERS, ONNX_OPSET, ONNX_IR_VERSION, exporterFor, type ExportContext, type OpExporter } from './export/op-map.js';
export { buildOnnxModel, exportOnnx, type OnnxExportOptions } from './export/export.js';
export { createOnnxBackend, onnxProvider, ONNX_TOLERANCE, DEFAULT_MAX_SESSIONS, type OnnxBackendOptions, type OrtSessionOptions } from './backend.js';
export { SessionCache, type Releasable, type SessionLease } from './session-cache.js';
export { serializeGraphBundle, parseGraphBundle, formatGraphJSON, weightsPathFor, BUNDLE_WEIGHTS_FORMAT, type GraphBundle } from './bundle.js';
