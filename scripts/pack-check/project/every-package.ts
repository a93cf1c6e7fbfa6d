// Type-checked (tsc --noEmit, strict, no skipLibCheck) in the project that
// installed every package: each entry point and subpath a user imports.
import * as attention from '@sas/attention';
import * as ndarray from '@sas/backend-ndarray';
import * as gpujs from '@sas/backend-gpujs';
import * as tfjs from '@sas/backend-tfjs';
import * as conformance from '@sas/conformance';
import * as fuzz from '@sas/conformance/fuzz';
import * as portable from '@sas/conformance/portable';
import * as vitestHelpers from '@sas/conformance/vitest';
import * as core from '@sas/core';
import * as paperHead from '@sas/fixtures-paper-head';
import * as onnx from '@sas/onnx';

// A few uses, so that the types are read, not only the module names.
const config: core.LayerConfig = { kind: 'sas', batch: 1, seqLen: 4, heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8, kernelSize: 3, causal: true };
const graph: core.Graph = core.buildLayer(config);
const providers: core.BackendProvider[] = [ndarray.ndarrayProvider, gpujs.gpujsProvider, tfjs.tfjsProvider, onnx.onnxProvider, attention.referenceProvider];
const layer: tfjs.SASMultiHeadAttention = new tfjs.SASMultiHeadAttention({ numHeads: 2, keyDim: 4, simHeads: 4, simKeyDim: 8 });
const report: Promise<conformance.ConformanceReport> = conformance.runConformance(core.createReferenceBackend(), {
  tolerance: core.referenceProvider.tolerance('float64'),
});
const fuzzed: (b: core.Backend) => Promise<fuzz.FuzzReport> = (b) => fuzz.fuzzBackend(b, { tolerance: tfjs.TFJS_TOLERANCE });
const overHttp: typeof portable.runConformanceOverHttp = portable.runConformanceOverHttp;
const describe: typeof vitestHelpers.describeConformance = vitestHelpers.describeConformance;
const dir: string = paperHead.paperHeadFixturesDir();
const onnxBytes: Uint8Array = onnx.exportOnnx(graph, { weights: core.initParams(config, 1) });
attention.registerBackend('mine', async () => ndarray.ndarrayProvider);
export { dir, describe, fuzzed, graph, layer, onnxBytes, overHttp, providers, report };
