import type { ModelTolerance, Tolerance } from '@sas/core';

/**
 * GL modes (headlessgl, webgl, webgl2, webgpu) compute in float32 shaders
 * whose `exp`, `/` and texture addressing are only specified to a few ULP, and
 * run in whatever precision the driver gives `highp`: held to 1e-3.
 * Gradients go through the same shaders over longer chains (the VJPs of the
 * convolutions sum T·k·H' products), and pass at the same 1e-3 on the bundled
 * fixtures; they are not loosened.
 */
const GL: Tolerance = Object.freeze({ atol: 1e-3, rtol: 1e-3, gradAtol: 1e-3, gradRtol: 1e-3 });

/** cpu and webasm compute IEEE float32 in the order written: held to 1e-4. */
const HOST: Tolerance = Object.freeze({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-4, gradRtol: 1e-4 });

const isHost = (mode: string) => mode === 'cpu' || mode === 'webasm';

/**
 * The tolerance the gpu.js backend is held to in `mode`: a value passes when
 * `|a − e| ≤ atol + rtol·|e|` against the float64 reference.
 *
 * @example
 * ```ts
 * import { gpujsTolerance } from '@sas/backend-gpujs';
 * gpujsTolerance('headlessgl').atol; // 0.001
 * gpujsTolerance('cpu').atol;        // 0.0001
 * ```
 */
export function gpujsTolerance(mode: string): Tolerance {
  return isHost(mode) ? HOST : GL;
}

/**
 * Updated params after AdamW steps, every mode: 1e-3 absolute. A parameter
 * whose exact gradient is zero (every key bias, the key branch's biases in
 * SAS: softmax ignores a constant shift of all keys) moves by
 * `lr·g/(|g| + eps)` with g float32 noise here and float64 noise in the
 * fixture, so its step is undetermined up to ~lr/10 (docs/models.md).
 */
const STEPS = { stepAtol: 1e-3, stepRtol: 0 } as const;

/** Model fixtures on cpu and webasm: the layer bounds (1e-4), steps at 1e-3. */
const HOST_MODEL: ModelTolerance = Object.freeze({ ...HOST, ...STEPS });

/**
 * Model fixtures on the GL modes: forward at 1e-4 (the models' ceiling,
 * tighter than GL's layer bound: the char GPT's logits measured ≤ 3.5e-7 on
 * llvmpipe), gradients at GL's 1e-3, steps at 1e-3.
 */
const GL_MODEL: ModelTolerance = Object.freeze({ ...GL, atol: 1e-4, rtol: 1e-4, ...STEPS });

/**
 * What the gpu.js backend is held to on the model fixtures (MODEL.md's char
 * GPT, `sas conformance --models`) in `mode`. Measured on the six bundled
 * cases (docs/backends/gpujs.md): logits and losses ≤ 3.5e-7, gradients
 * ≤ 1.1e-7 in cpu, webasm and headlessgl; updated params of zero-gradient
 * biases ≤ 7.0e-4, every other updated param ≤ 1.6e-5.
 *
 * @example
 * ```ts
 * import { gpujsModelTolerance } from '@sas/backend-gpujs';
 * gpujsModelTolerance('webasm').stepAtol; // 0.001
 * gpujsModelTolerance('headlessgl').atol; // 0.0001
 * ```
 */
export function gpujsModelTolerance(mode: string): ModelTolerance {
  return isHost(mode) ? HOST_MODEL : GL_MODEL;
}
