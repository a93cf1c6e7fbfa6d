// Run in the fresh project that installed only @sas/core, @sas/backend-ndarray
// and @sas/conformance: a SAS layer on the ndarray backend against the float64
// reference, then the conformance suites (the authors' layer fixtures with
// gradients in float32; the char GPT's model fixtures in float64, since
// float32 AdamW steps on zero-gradient key biases are a known open problem,
// docs/models.md) as a backend author would run them.
import { buildLayer, evaluateReference, initParams, randomNormal } from '@sas/core';
import { NDARRAY_FLOAT64_TOLERANCE, ndarrayProvider } from '@sas/backend-ndarray';
import { compareTensors, formatModelReport, formatReport, runConformance, runModelConformance } from '@sas/conformance';

const config = { kind: 'sas', batch: 1, seqLen: 16, heads: 4, headDim: 16, simHeads: 8, simHeadDim: 32, kernelSize: 3, causal: true };
const backend = await ndarrayProvider.create({ mode: 'cpu' });
try {
  const tolerance = ndarrayProvider.tolerance(backend.mode);
  const x = (seed) => randomNormal([1, 16, 4, 16], seed);
  const feeds = { ...initParams(config, 42), query: x(1), key: x(2), value: x(3) };
  const { output } = await backend.run(buildLayer(config), feeds, { outputs: ['output'] });
  const reference = await evaluateReference(buildLayer(config, { dtype: 'float64' }), feeds, { outputs: ['output'] });
  const layer = compareTensors('output', output, reference.output, tolerance.atol, tolerance.rtol);
  console.log(`layer on ndarray: output [${output.shape}], max |error| vs the float64 reference ${layer.maxAbs.toExponential(2)}`);
  if (!layer.passed) throw new Error('the layer on ndarray disagrees with the reference');

  const layers = await runConformance(backend, { tolerance, grads: true });
  console.log(formatReport(layers));
  if (!layers.passed || layers.cases.length !== 11) throw new Error(`layer conformance: ${layers.cases.length} cases, passed ${layers.passed}`);

  const models = await runModelConformance(backend, { tolerance: NDARRAY_FLOAT64_TOLERANCE, dtype: 'float64' });
  console.log(formatModelReport(models));
  if (!models.passed || models.cases.length === 0) throw new Error(`model conformance: ${models.cases.length} cases, passed ${models.passed}`);
} finally {
  await backend.dispose();
}
