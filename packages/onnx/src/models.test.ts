import { describe, expect, it } from 'vitest';
import { formatModelReport, runModelConformance } from '@sas/conformance';
import { describeModelConformance } from '@sas/conformance/vitest';
import { createOnnxBackend, ONNX_FLOAT64_MODEL_TOLERANCE, ONNX_MODEL_TOLERANCE, onnxProvider } from '@sas/onnx';

// The char GPT's fixtures (MODEL.md: logits, loss, every gradient, grad_norm,
// two AdamW steps), each graph exported to ONNX with the model's ops written as
// native operators (Gather, ScatterND, LayerNormalization, Tanh, GatherElements)
// and run in ONNX Runtime: float32 at 1e-4 forward / 1e-3 gradients and params,
// what `pnpm sas conformance --models --backend onnx` checks.
describeModelConformance(onnxProvider, { mode: 'cpu', tolerance: ONNX_MODEL_TOLERANCE });

describe('model conformance in float64 (DOUBLE graphs; layer norm through its decomposition)', () => {
  it("reproduces the authors' float64 numbers within 1e-9 forward, 1e-8 gradients and params", async () => {
    const backend = await createOnnxBackend();
    try {
      const report = await runModelConformance(backend, { tolerance: ONNX_FLOAT64_MODEL_TOLERANCE, dtype: 'float64' });
      expect(report.passed, formatModelReport(report)).toBe(true);
      expect(report.cases.length).toBeGreaterThan(0);
      expect(report.dtype).toBe('float64');
    } finally {
      await backend.dispose();
    }
  });
});
