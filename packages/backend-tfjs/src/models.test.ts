// The char GPT of MODEL.md on tfjs, cpu and wasm: the shared model suite
// against the PyTorch float64 fixtures (forward, every gradient, two AdamW
// steps) at TFJS_MODEL_TOLERANCE, and the tiny model's loss falling under
// training, with no tensor left behind.
import * as tf from '@tensorflow/tfjs-core';
import { trainTinyModel } from '@sas/conformance';
import { describeModelConformance, describeModelTraining } from '@sas/conformance/vitest';
import { expect, it } from 'vitest';
import { createTfjsBackend } from './backend.js';
import { tfjsProvider } from './index.js';
import { NODE_TEST_MODES } from './test-support/modes.js';

for (const mode of NODE_TEST_MODES) {
  describeModelConformance(tfjsProvider, { mode });
  describeModelTraining(tfjsProvider, { mode });

  it(`tfjs ${mode}: training steps leave tf.memory().numTensors where it was`, async () => {
    const backend = await createTfjsBackend({ mode });
    await trainTinyModel(backend, { steps: 1 }); // tfjs allocates its own state on first use
    const start = tf.memory().numTensors;
    await trainTinyModel(backend, { steps: 3 });
    expect(tf.memory().numTensors).toBe(start);
    expect(backend.liveHandles()).toBe(0);
  });
}
