// Type-checked with zero errors allowed (strict, no skipLibCheck, no ambient
// types): every package but @sas/backend-tfjs, whose tfjs peers ship .d.ts
// files that do not compile under these settings (see run.mjs).
import * as attention from '@sas/attention';
import * as ndarray from '@sas/backend-ndarray';
import * as gpujs from '@sas/backend-gpujs';
import * as conformance from '@sas/conformance';
import * as fuzz from '@sas/conformance/fuzz';
import * as portable from '@sas/conformance/portable';
import * as vitestHelpers from '@sas/conformance/vitest';
import * as core from '@sas/core';
import * as paperHead from '@sas/fixtures-paper-head';
import * as onnx from '@sas/onnx';

const config: core.LayerConfig = { kind: 'mha', batch: 1, seqLen: 4, heads: 2, headDim: 4, kvHeads: 2, causal: true };
const graph: core.Graph = core.buildLayer(config);
const providers: core.BackendProvider[] = [ndarray.ndarrayProvider, gpujs.gpujsProvider, onnx.onnxProvider, attention.referenceProvider];
const targets: Promise<conformance.BackendTarget[]> = conformance.discoverTargets(providers);
const fuzzed: (b: core.Backend) => Promise<fuzz.FuzzReport> = (b) => fuzz.fuzzBackend(b, { tolerance: ndarray.NDARRAY_TOLERANCE });
const overHttp: typeof portable.runConformanceOverHttp = portable.runConformanceOverHttp;
const describe: typeof vitestHelpers.describeConformance = vitestHelpers.describeConformance;
const dir: string = paperHead.paperHeadFixturesDir();
const sessionOptions: onnx.OrtSessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: 'all' };
const backend: Promise<core.Backend> = onnx.createOnnxBackend({ sessionOptions });
const provider: Promise<core.BackendProvider> = attention.loadProvider('ndarray');
export { backend, dir, describe, fuzzed, graph, overHttp, provider, targets };
