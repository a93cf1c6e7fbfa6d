import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildSAS, layerParams, SasError, type Tensor } from '@sas/core';
import { evaluateOnTensors } from '../graph/evaluate.js';
import { matMul } from '../tfops/matmul.js';
import { buildAttendGraph } from './attend-graph.js';
import { GraphCache } from './graph-cache.js';
import { serializeInitializer, type Initializer } from './initializers.js';
import { attentionKeep, holdsOwnKerasMask, mayCarryKerasMask, maskFeeds } from './keras-masks.js';
import { resolveMhaConfig, sasConfigOf, type ResolvedMhaConfig, type SASMultiHeadAttentionArgs } from './mha-config.js';
import { callTensors, checkCallShapes, normalizeCall, type MhaCallOptions, type SASMultiHeadAttentionCallArgs } from './mha-call.js';
import { readAuthorsWeights, writeAuthorsWeights, type AuthorsWeightsOptions, type WeightSource } from './weights.js';

type Projection = 'query' | 'key' | 'value';

/** How this layer was applied in a model: tfjs's executor hands `call` none of these again, so the layer keeps them. */
interface ModelCall {
  readonly options: MhaCallOptions;
  /** Whether tfjs may pass the query's Keras mask in `kwargs.mask` (otherwise a mask there is left over from another layer). */
  readonly queryMayCarryMask: boolean;
}

/**
 * Projects x [B, T, E] with kernel [E, H, D] (Keras's layout) and bias [H, D] to [B, T, H, D]:
 * one 2-d product through the package's `matMul` (XNNPACK's GEMM on wasm).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * projectHeads(tf.ones([1, 3, 8]), tf.ones([8, 2, 4]), tf.zeros([2, 4])).shape; // [1, 3, 2, 4]
 * ```
 */
export function projectHeads(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor {
  return tf.tidy(() => {
    const [batch, length, features] = x.shape;
    const [, heads, dim] = kernel.shape;
    let y = matMul(tf.reshape(x, [batch * length, features]), tf.reshape(kernel, [features, heads * dim]));
    if (bias) y = tf.add(y, tf.reshape(bias, [heads * dim]));
    return tf.reshape(y, [batch, length, heads, dim]);
  });
}

/**
 * Simulated Attention Score multi-head attention, called like Keras's
 * `MultiHeadAttention`: it owns its query/key/value projections, takes
 * `query`, `value`, an optional `key`, `attentionMask`, `useCausalMask` and
 * `returnAttentionScores`, honours Keras padding masks (`maskZero`
 * embeddings, `Masking`), attends across sequences of different lengths,
 * and works in `tf.sequential` (a single input is self-attention) and in
 * functional models.
 *
 * Computation (SAS.md): x → per-head projections Q, K [B, T, H, keyDim] and
 * V [B, Tk, H, valueDim] → head and feature simulation per token (core's SAS
 * graph) → attention over H' simulated heads with scale 1/√simKeyDim →
 * PEAA's dense layer → `[B, Tq, numHeads·valueDim]`. PEAA takes the place of
 * Keras's output projection, so there is no `outputShape`.
 *
 * Masks act in the attention only (the simulation is per token, so a padded
 * token cannot reach another one there). A query row left with no key to
 * attend to (padded, or fully masked) gets all-zero attention probabilities:
 * its output is PEAA's bias, never NaN.
 *
 * Weights: `query/kernel` [Eq, H, keyDim], `query/bias` [H, keyDim] (Keras's
 * layout), the same for key and value, then SAS's parameters under the
 * authors' names (`sas_q.0.weight`, …, `output_dense.weight`), which
 * `loadAuthorsWeights` reads.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { SASMultiHeadAttention } from '@sas/backend-tfjs';
 * const model = tfl.sequential({
 *   layers: [
 *     tfl.layers.embedding({ inputDim: 100, outputDim: 32, maskZero: true, inputShape: [null] }),
 *     new SASMultiHeadAttention({ numHeads: 4, keyDim: 8, simHeads: 8, simKeyDim: 16 }),
 *   ],
 * });
 * const out = model.predict(tf.tensor2d([[5, 7, 0, 0]])) as tf.Tensor; // [1, 4, 32]; ids 0 are padding
 * ```
 */
export class SASMultiHeadAttention extends tfl.layers.Layer {
  static className = 'SASMultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly simHeads: number;
  readonly simKeyDim: number;
  readonly kernelSize: number;
  readonly dropout: number;
  readonly useBias: boolean;
  /** The default of the call argument `useCausalMask`. */
  readonly useCausalMask: boolean;
  readonly seed: number | undefined;
  private readonly kernelInitializer: Initializer | undefined;
  private readonly biasInitializer: Initializer | undefined;
  private readonly projections = new Map<string, tfl.LayerVariable>();
  private readonly sasParams = new Map<string, tfl.LayerVariable>();
  private features: { query: number; value: number; key: number } | null = null;
  private modelCall: ModelCall | undefined;
  /** The options of the `apply` in progress, for `computeOutputShape` and `computeMask`, which tfjs calls without them. */
  private pending: MhaCallOptions | undefined;
  private readonly branchGraphs = new GraphCache(12);
  private readonly attendGraphs = new GraphCache(8);

  constructor(args: SASMultiHeadAttentionArgs) {
    super(args);
    const c: ResolvedMhaConfig = resolveMhaConfig(args);
    this.numHeads = c.numHeads;
    this.keyDim = c.keyDim;
    this.valueDim = c.valueDim;
    this.simHeads = c.simHeads;
    this.simKeyDim = c.simKeyDim;
    this.kernelSize = c.kernelSize;
    this.dropout = c.dropout;
    this.useBias = c.useBias;
    this.useCausalMask = c.useCausalMask;
    this.seed = c.seed;
    this.kernelInitializer = c.kernelInitializer;
    this.biasInitializer = c.biasInitializer;
    this.supportsMasking = true;
  }

  /**
   * Keras's call: `apply(query, { value, key, attentionMask, useCausalMask,
   * returnAttentionScores, training })`, or `apply([query, value, key?])`, or
   * `apply(x)` for self-attention. Returns the output [B, Tq, H·valueDim], or
   * `[output, scores]` with scores [B, H', Tq, Tk] when
   * `returnAttentionScores`. In a model, tfjs runs the layer again without
   * these options, so the layer keeps those of its application in the model
   * (one set per layer: apply a second layer for other options).
   */
  override apply(
    inputs: tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[],
    kwargs?: SASMultiHeadAttentionCallArgs | Record<string, unknown>,
  ): tf.Tensor | tf.Tensor[] | tfl.SymbolicTensor | tfl.SymbolicTensor[] {
    const call = normalizeCall(inputs, kwargs as Record<string, unknown>);
    const modelCall = call.symbolic ? this.modelCallOf(call.inputs as tfl.SymbolicTensor[], call.options) : undefined;
    const outer = this.pending;
    this.pending = modelCall?.options ?? this.optionsFor(call.options);
    try {
      const result = super.apply((call.inputs.length === 1 ? call.inputs[0] : call.inputs) as tf.Tensor | tf.Tensor[], call.kwargs);
      if (modelCall) this.modelCall = modelCall;
      return result;
    } finally {
      this.pending = outer;
    }
  }

  /** The call options: those given, else those of the layer's application in a model, else the defaults. */
  private optionsFor(given: Partial<MhaCallOptions>): MhaCallOptions {
    return {
      useCausalMask: given.useCausalMask ?? this.modelCall?.options.useCausalMask ?? this.useCausalMask,
      returnAttentionScores: given.returnAttentionScores ?? this.modelCall?.options.returnAttentionScores ?? false,
    };
  }

  /**
   * What a symbolic application adds to the layer's record (kept once tfjs
   * has accepted the application), after checking that its options agree
   * with earlier applications and that every Keras mask will reach the
   * layer: tfjs's executor passes a layer only its first input's mask, so a
   * value or key whose mask tfjs would carry through other layers would lose
   * it silently. That is an error instead, unless the call gives the padding
   * itself as `attentionMask`.
   */
  private modelCallOf(inputs: tfl.SymbolicTensor[], given: Partial<MhaCallOptions>): ModelCall {
    const options = { useCausalMask: given.useCausalMask ?? this.useCausalMask, returnAttentionScores: given.returnAttentionScores ?? false };
    const before = this.modelCall?.options;
    if (before && (before.useCausalMask !== options.useCausalMask || before.returnAttentionScores !== options.returnAttentionScores)) {
      throw new SasError(
        'E_INPUT',
        `SASMultiHeadAttention '${this.name}': applied in a model with ${JSON.stringify(before)} and now ${JSON.stringify(options)}; tfjs runs a layer without its call options, so use one layer per set of options`,
      );
    }
    const [query, value = query, key = value, attentionMask] = inputs;
    const isAttention = (layer: tfl.layers.Layer) => layer instanceof SASMultiHeadAttention;
    for (const [name, t] of [
      ['value', value],
      ['key', key],
    ] as const) {
      if (t === query || (name === 'key' && t === value) || attentionMask) continue;
      if (mayCarryKerasMask(t) && !holdsOwnKerasMask(t, isAttention)) {
        throw new SasError(
          'E_INPUT',
          `SASMultiHeadAttention '${this.name}': the ${name} (from layer '${t.sourceLayer.name}') carries a Keras mask that tfjs does not pass to a layer's second or third input; feed the ${name} straight from the masking layer, or give the padding as attentionMask`,
        );
      }
    }
    return { options, queryMayCarryMask: (this.modelCall?.queryMayCarryMask ?? false) || mayCarryKerasMask(query) };
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tfl.Shape[];
    const [query, value = query, key = value] = shapes;
    checkCallShapes({ query, value, key }, null);
    const features = { query: query[2], value: value[2], key: key[2] };
    for (const [name, size] of Object.entries(features)) {
      if (size === null) throw new SasError('E_SHAPE', `SASMultiHeadAttention: the ${name}'s feature size (last axis) must be known to build the layer`);
    }
    this.features = features as { query: number; value: number; key: number };
    let index = 0;
    const seeded = (make: (seed: number | undefined) => Initializer) => make(this.seed === undefined ? undefined : this.seed + index);
    for (const name of ['query', 'key', 'value'] as const) {
      const dim = name === 'value' ? this.valueDim : this.keyDim;
      const kernelInit = this.kernelInitializer ?? seeded((seed) => tfl.initializers.glorotUniform({ seed }));
      this.projections.set(`${name}/kernel`, this.addWeight(`${name}/kernel`, [this.features[name], this.numHeads, dim], 'float32', kernelInit));
      index++;
      if (this.useBias) {
        this.projections.set(`${name}/bias`, this.addWeight(`${name}/bias`, [this.numHeads, dim], 'float32', this.biasInitializer ?? tfl.initializers.zeros()));
      }
      index++;
    }
    for (const spec of this.sasParamSpecs()) {
      const bound = 1 / Math.sqrt(spec.fanIn);
      const init = seeded((seed) => tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed }));
      this.sasParams.set(spec.name, this.addWeight(spec.name, [...spec.shape], 'float32', init));
      index++;
    }
    this.built = true;
  }

  /** SAS's parameters: the q/k branches sized by keyDim, PEAA's dense layer by valueDim (the v convolutions fit both). */
  private sasParamSpecs() {
    const keySized = layerParams(sasConfigOf(this, this.keyDim, this.kernelSize, 1, 1)).filter((p) => !p.name.startsWith('output_dense.'));
    const valueSized = layerParams(sasConfigOf(this, this.valueDim, this.kernelSize, 1, 1)).filter((p) => p.name.startsWith('output_dense.'));
    return [...keySized, ...valueSized.filter((p) => this.useBias || p.name !== 'output_dense.bias')];
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as tfl.Shape[];
    const [query, value = query, key = value] = shapes;
    const [batch, tq, tk] = checkCallShapes({ query, value, key }, this.features);
    const output = [batch, tq, this.numHeads * this.valueDim];
    const options = this.pending ?? this.optionsFor({});
    return options.returnAttentionScores ? [output, [batch, this.simHeads, tq, tk]] : output;
  }

  /** The output carries the query's Keras mask (as in Keras); the attention scores carry none. */
  override computeMask(inputs: tf.Tensor | tf.Tensor[], mask?: tf.Tensor | tf.Tensor[]): tf.Tensor | tf.Tensor[] {
    const query = Array.isArray(inputs) ? inputs[0] : inputs;
    const given = Array.isArray(mask) ? mask[0] : mask;
    const queryMask = given ?? query?.kerasMask;
    const out = queryMask ? tf.clone(queryMask) : null;
    const options = this.pending ?? this.optionsFor({});
    return (options.returnAttentionScores ? [out, null] : out) as tf.Tensor | tf.Tensor[];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const args = kwargs as SASMultiHeadAttentionCallArgs;
      const options = this.optionsFor(args);
      const { query, value, key, attentionMask } = callTensors(inputs);
      const [batch, tq, tk] = checkCallShapes({ query: query.shape, value: value.shape, key: key.shape }, this.features) as number[];
      const keep = attentionKeep(batch, tq, tk, { ...this.callMasks(query, value, key, args), attention: attentionMask }, options.useCausalMask);
      const dropout = args.training === true && this.dropout > 0;
      const read = (name: string) => this.projections.get(name)?.read();
      const projected = (['query', 'key', 'value'] as const).map((name: Projection) =>
        projectHeads({ query, key, value }[name], read(`${name}/kernel`)!, read(`${name}/bias`)),
      );
      const params: Record<string, tf.Tensor> = {};
      for (const [name, variable] of this.sasParams) params[name] = variable.read();
      const feeds: Record<string, tf.Tensor> = {
        query_sim: this.simulate('query', projected[0], params),
        key_sim: this.simulate('key', projected[1], params),
        value_sim: this.simulate('value', projected[2], params),
        ...(keep ? maskFeeds(keep) : {}),
        ...(dropout ? { dropout_keep: tf.dropout(tf.ones([batch, this.simHeads, tq, tk]), this.dropout) } : {}),
        ...params,
      };
      const shape = { batch, queryLen: tq, keyLen: tk, heads: this.numHeads, simHeads: this.simHeads, simKeyDim: this.simKeyDim, valueDim: this.valueDim };
      const parts = { masked: keep !== null, dropout, outputBias: this.useBias };
      const graph = this.attendGraphs.get(JSON.stringify([shape, parts]), () => buildAttendGraph({ ...shape, ...parts }));
      const { output, scores } = evaluateOnTensors(graph, feeds, options.returnAttentionScores ? ['output', 'scores'] : ['output']);
      return options.returnAttentionScores ? [output, scores] : output;
    });
  }

  /**
   * The Keras masks of a call, Keras's way: explicit `queryMask`/`valueMask`/
   * `keyMask` first, then tfjs's `mask` (the query's, or one per input), then
   * a mask the tensor itself carries. A value that is the query shares its
   * mask; a key that is the value adds nothing.
   */
  private callMasks(query: tf.Tensor, value: tf.Tensor, key: tf.Tensor, args: SASMultiHeadAttentionCallArgs) {
    const channel = args.mask;
    // A single mask from tfjs's executor is the query's, unless the query cannot carry one in this model:
    // the executor's keyword arguments are shared by all layers, so it is then a leftover of another layer.
    const fromTfjs = Array.isArray(channel) ? channel : [!this.modelCall || this.modelCall.queryMayCarryMask ? channel : null];
    const queryMask = args.queryMask ?? fromTfjs[0] ?? query.kerasMask ?? null;
    const valueMask = args.valueMask ?? (value === query ? queryMask : (fromTfjs[1] ?? value.kerasMask ?? null));
    const keyMask = args.keyMask ?? (key === value ? null : key === query ? queryMask : (fromTfjs[2] ?? key.kerasMask ?? null));
    return { query: queryMask, value: valueMask, key: keyMask };
  }

  /** One branch's per-token head (and, for q/k, feature) simulation: a trace of core's SAS graph for this shape. */
  private simulate(branch: Projection, x: tf.Tensor, params: Record<string, tf.Tensor>): tf.Tensor {
    const [batch, length] = x.shape;
    const headDim = branch === 'value' ? this.valueDim : this.keyDim;
    const graph = this.branchGraphs.get(`${batch}x${length}x${headDim}`, () =>
      buildSAS(sasConfigOf(this, headDim, this.kernelSize, batch, length), { dtype: 'float32' }),
    );
    const trace = `trace.${branch}_sim`;
    return evaluateOnTensors(graph, { ...params, [branch]: x }, [trace])[trace];
  }

  /**
   * Sets SAS's parameters from tensors named like the SAS authors'
   * state_dict (`sas_q.0.weight`, …, `output_dense.bias`), e.g.
   * `parseSafetensors(bytes).tensors`; every name and shape is checked first
   * (`E_WEIGHTS`). The projections are ordinary tfjs weights (`setWeights`).
   * The layer must have been called (or applied in a model) once: its input
   * sizes fix the projections.
   *
   * @example
   * ```ts
   * import { readFileSync } from 'node:fs';
   * import { parseSafetensors } from '@sas/core';
   * layer.loadAuthorsWeights(parseSafetensors(new Uint8Array(readFileSync('sas.safetensors'))).tensors);
   * ```
   */
  loadAuthorsWeights(tensors: WeightSource, options: AuthorsWeightsOptions = {}): void {
    this.requireBuilt();
    writeAuthorsWeights(this.sasParams, tensors, options);
  }

  /**
   * SAS's parameters under the authors' names as float32 host tensors, for
   * `serializeSafetensors` or a pre-projected `SASAttention`.
   *
   * @example
   * ```ts
   * import { serializeSafetensors } from '@sas/core';
   * const bytes = serializeSafetensors(layer.authorsWeights());
   * ```
   */
  authorsWeights(): Record<string, Tensor> {
    this.requireBuilt();
    return readAuthorsWeights(this.sasParams);
  }

  private requireBuilt(): void {
    if (!this.built) {
      throw new SasError(
        'E_WEIGHTS',
        `SASMultiHeadAttention '${this.name}': call the layer once (or apply it in a model) first: its input sizes fix the projections`,
      );
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      simHeads: this.simHeads,
      simKeyDim: this.simKeyDim,
      kernelSize: this.kernelSize,
      dropout: this.dropout,
      useBias: this.useBias,
      useCausalMask: this.useCausalMask,
      ...(this.kernelInitializer ? { kernelInitializer: serializeInitializer(this.kernelInitializer) } : {}),
      ...(this.biasInitializer ? { biasInitializer: serializeInitializer(this.biasInitializer) } : {}),
      ...(this.seed === undefined ? {} : { seed: this.seed }),
    };
  }
}

tf.serialization.registerClass(SASMultiHeadAttention);
