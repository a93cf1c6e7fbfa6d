import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildSAS, layerParams, SasError, type Graph, type SASConfig, type Tensor } from '@sas/core';
import { evaluateOnTensors } from '../graph/evaluate.js';
import { sasConfigFor, type SASAttentionConfig } from './config.js';
import { checkInputShapes } from './inputs.js';
import { readAuthorsWeights, writeAuthorsWeights, type AuthorsWeightsOptions, type WeightSource } from './weights.js';

/** Constructor arguments: the SAS configuration plus tfjs's usual layer arguments (name, trainable, …). */
export type SASAttentionArgs = SASAttentionConfig & NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Call shapes whose graphs are kept (a model sees few distinct batch/sequence sizes). */
const GRAPH_CACHE_SIZE = 8;

/**
 * Simulated Attention Score attention as a tfjs layer.
 *
 * Inputs: `[query, key, value]`, already projected per head, each
 * `[batch, T, H, D]` (SAS.md's layout) or `[batch, T, H·D]` (reshaped to
 * heads inside). Batch size and T may vary from call to call. Output:
 * `[batch, T, H·D]`. PEAA's dense layer is part of this layer, so it replaces
 * both the attention and its output projection; the Q/K/V projections stay
 * the caller's.
 *
 * Weights: the SAS authors' state_dict names and shapes (`sas_q.0.weight`
 * [H',H,k], …, `output_dense.bias` [H·D]); tfjs prefixes the layer name
 * (`sas_attention_1/sas_q.0.weight`). `loadAuthorsWeights` reads a
 * safetensors file's tensors by those names. Initialisation is PyTorch's:
 * uniform in ±1/√fan_in.
 *
 * The forward pass is @sas/core's SAS graph run on tfjs ops (the same
 * lowering as the tfjs `Backend`), so tfjs autodiff trains it in
 * `model.fit`, and it is serialisable (`model.save` / `tf.loadLayersModel`).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { SASAttention } from '@sas/backend-tfjs';
 * const [q, k, v] = [0, 1, 2].map(() => tfl.input({ shape: [null, 4, 16] }));
 * const attended = new SASAttention({ heads: 4, headDim: 16, simHeads: 8, simHeadDim: 32 }).apply([q, k, v]) as tfl.SymbolicTensor;
 * const model = tfl.model({ inputs: [q, k, v], outputs: attended }); // output [batch, T, 64]
 * ```
 */
export class SASAttention extends tfl.layers.Layer {
  static className = 'SASAttention';
  readonly heads: number;
  readonly headDim: number;
  readonly simHeads: number;
  readonly simHeadDim: number;
  readonly kernelSize: number;
  readonly causal: boolean;
  readonly seed: number | undefined;
  private readonly params = new Map<string, tfl.LayerVariable>();
  private readonly graphs = new Map<string, Graph>();

  constructor(args: SASAttentionArgs) {
    super(args);
    const c = sasConfigFor(args, 1, 1);
    this.heads = c.heads;
    this.headDim = c.headDim;
    this.simHeads = c.simHeads;
    this.simHeadDim = c.simHeadDim;
    this.kernelSize = c.kernelSize;
    this.causal = c.causal;
    if (args.seed !== undefined && !Number.isInteger(args.seed)) throw new SasError('E_CONFIG', `SASAttention: seed must be an integer, got ${args.seed}`);
    this.seed = args.seed;
  }

  /**
   * The core configuration for a call of `batch` sequences of length `seqLen`.
   *
   * @example
   * ```ts
   * new SASAttention({ heads: 2, headDim: 4, simHeads: 4, simHeadDim: 8 }).configFor(1, 16).kind; // 'sas'
   * ```
   */
  configFor(batch: number, seqLen: number): SASConfig {
    return sasConfigFor(this, batch, seqLen);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    checkInputShapes(inputShape as tfl.Shape[], this.heads, this.headDim);
    layerParams(this.configFor(1, 1)).forEach((spec, i) => {
      const bound = 1 / Math.sqrt(spec.fanIn);
      const init = tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.seed === undefined ? undefined : this.seed + i });
      this.params.set(spec.name, this.addWeight(spec.name, [...spec.shape], 'float32', init));
    });
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [query] = checkInputShapes(inputShape as tfl.Shape[], this.heads, this.headDim);
    return [query[0], query[1], this.heads * this.headDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const [shape] = checkInputShapes(
        list.map((t) => t.shape),
        this.heads,
        this.headDim,
      );
      const [batch, seqLen] = shape as number[];
      const [query, key, value] = list.map((t) => tf.reshape(t, [batch, seqLen, this.heads, this.headDim]));
      const feeds: Record<string, tf.Tensor> = { query, key, value };
      for (const [name, variable] of this.params) feeds[name] = variable.read();
      return evaluateOnTensors(this.graphFor(batch, seqLen), feeds, ['output']).output;
    });
  }

  /** The SAS graph for one call shape, built once and kept (a few shapes at most). */
  private graphFor(batch: number, seqLen: number): Graph {
    const key = `${batch}x${seqLen}`;
    let graph = this.graphs.get(key);
    if (!graph) {
      if (this.graphs.size >= GRAPH_CACHE_SIZE) this.graphs.delete(this.graphs.keys().next().value!);
      graph = buildSAS(this.configFor(batch, seqLen), { dtype: 'float32' });
      this.graphs.set(key, graph);
    }
    return graph;
  }

  /**
   * Builds the weights if the layer has not been called yet. Through `apply`
   * on a one-token input, not `build` directly: tfjs names the weights inside
   * the layer's name scope only there (`<layer>/sas_q.0.weight`), and `dispose`
   * requires a layer that has been applied.
   */
  private ensureBuilt(): void {
    if (this.built) return;
    tf.tidy(() => {
      const token = tf.zeros([1, 1, this.heads, this.headDim]);
      this.apply([token, token, token]);
    });
  }

  /**
   * Sets every weight from tensors named like the SAS authors' state_dict
   * (`sas_q.0.weight`, …), e.g. `parseSafetensors(bytes).tensors`. A missing
   * or misshapen tensor is an `E_WEIGHTS` error and nothing is changed.
   *
   * @example
   * ```ts
   * import { readFileSync } from 'node:fs';
   * import { parseSafetensors } from '@sas/core';
   * layer.loadAuthorsWeights(parseSafetensors(new Uint8Array(readFileSync('sas.safetensors'))).tensors);
   * ```
   */
  loadAuthorsWeights(tensors: WeightSource, options: AuthorsWeightsOptions = {}): void {
    this.ensureBuilt();
    writeAuthorsWeights(this.params, tensors, options);
  }

  /**
   * The weights under the authors' names as float32 host tensors, ready for
   * `serializeSafetensors` (and so for the authors' PyTorch code).
   *
   * @example
   * ```ts
   * import { serializeSafetensors } from '@sas/core';
   * const bytes = serializeSafetensors(layer.authorsWeights());
   * ```
   */
  authorsWeights(): Record<string, Tensor> {
    this.ensureBuilt();
    return readAuthorsWeights(this.params);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      heads: this.heads,
      headDim: this.headDim,
      simHeads: this.simHeads,
      simHeadDim: this.simHeadDim,
      kernelSize: this.kernelSize,
      causal: this.causal,
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

tf.serialization.registerClass(SASAttention);
