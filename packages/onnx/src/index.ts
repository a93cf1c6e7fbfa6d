/**
 * @sas/onnx — ONNX export of @sas/core graphs (standard operators at opset 18,
 * weights as named initializers) and ONNX Runtime as a conformance backend.
 * The export encodes with onnx-proto (the official onnx.proto); the backend
 * loads `onnxruntime-node` lazily.
 */
export {
  ONNX_DTYPE,
  encodeModel,
  type OnnxAttribute,
  type OnnxDataType,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './export/model-proto.js';
export { OnnxEmitter, onnxElemType, encodeElements } from './export/emitter.js';
export { ONNX_EXPORTERS, ONNX_OPSET, ONNX_IR_VERSION, exporterFor, hasOnnxMapping, type ExportContext, type OpExporter } from './export/op-map.js';
export { buildOnnxModel, defaultOnnxOutputs, exportOnnx, type OnnxExportOptions } from './export/export.js';
export { createOnnxBackend, onnxProvider, DEFAULT_MAX_SESSIONS, type OnnxBackendOptions } from './backend.js';
export { ONNX_TOLERANCE, ONNX_MODEL_TOLERANCE, ONNX_FLOAT64_MODEL_TOLERANCE } from './tolerance.js';
export { SessionCache, type Releasable, type SessionLease } from './session-cache.js';
export { serializeGraphBundle, parseGraphBundle, formatGraphJSON, weightsPathFor, BUNDLE_WEIGHTS_FORMAT, type GraphBundle } from './bundle.js';
