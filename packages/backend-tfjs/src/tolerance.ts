import type { ModelTolerance, Tolerance } from '@sas/core';

/**
 * What the tfjs backend is held to, in every mode: tfjs computes in float32,
 * so forward values and gradients get 1e-4 (absolute and relative) against
 * the float64 fixtures. The largest errors measured on the bundled fixtures
 * are ~50× (forward) and ~10× (gradients) smaller on cpu and wasm, and ~60×
 * and ~50× smaller on webgl (headless Chromium, WebGL2 on SwiftShader, with
 * float32 textures; a GPU that only renders float16 would not meet it);
 * docs/backends/tfjs.md lists them. webgpu is not measured yet.
 *
 * @example
 * ```ts
 * import { TFJS_TOLERANCE } from '@sas/backend-tfjs';
 * TFJS_TOLERANCE.gradAtol; // 1e-4
 * ```
 */
export const TFJS_TOLERANCE: Tolerance = Object.freeze({ atol: 1e-4, rtol: 1e-4, gradAtol: 1e-4, gradRtol: 1e-4 });

/**
 * The model fixtures (MODEL.md's char GPT, `sas conformance --models`):
 * logits, loss, gradients and grad_norm at the layer bounds above (measured
 * on the six bundled cases, cpu and wasm: forward ≤ 3.5e-7, gradients
 * ≤ 1.9e-7), and the params after one and two AdamW steps at 1e-3 absolute.
 * Those steps move a parameter whose exact gradient is zero (every key bias,
 * the key branch's biases in SAS: softmax ignores a constant shift of all
 * keys) by `lr·g/(|g| + eps)`: the fixture's g is float64 noise, ours
 * float32 noise, so the move is undetermined up to ~lr/10. Measured: 3.9e-4
 * at worst (lm-gqa-step, blocks.0.attn.k_proj.bias, step 2, cpu); every other
 * updated param within 1.9e-5 (wasm, lm-mha-step).
 *
 * @example
 * ```ts
 * import { TFJS_MODEL_TOLERANCE } from '@sas/backend-tfjs';
 * TFJS_MODEL_TOLERANCE.stepAtol; // 1e-3
 * ```
 */
export const TFJS_MODEL_TOLERANCE: ModelTolerance = Object.freeze({ ...TFJS_TOLERANCE, stepAtol: 1e-3, stepRtol: 0 });
