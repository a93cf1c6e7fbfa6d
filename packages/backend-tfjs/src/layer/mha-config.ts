import type * as tfl from '@tensorflow/tfjs-layers';
import { SasError, validateConfig, type SASConfig } from '@sas/core';
import { toInitializer, type Initializer, type InitializerSpec } from './initializers.js';

/** tfjs's own layer arguments, passed through to `tfl.layers.Layer`. */
export type TfjsLayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** The hyper-parameters of a `SASMultiHeadAttention` layer (Keras's names, SAS.md's symbols in brackets). */
export interface SASMultiHeadAttentionConfig {
  /** H: attention heads of the projected query, key and value. */
  readonly numHeads: number;
  /** D: per-head size of the projected query and key. */
  readonly keyDim: number;
  /** Per-head size of the projected value (default `keyDim`); the output is `[B, Tq, numHeads·valueDim]`. */
  readonly valueDim?: number;
  /** H': simulated heads, a multiple of `numHeads`. */
  readonly simHeads: number;
  /** D': simulated query/key head size; the attention scale is 1/√simKeyDim. */
  readonly simKeyDim: number;
  /** k: odd kernel size of the head-axis convolutions (default 3). */
  readonly kernelSize?: number;
  /** Dropout rate on the attention probabilities, applied only when training (default 0). */
  readonly dropout?: number;
  /** Whether the Q/K/V projections and PEAA's output dense have biases (default true). */
  readonly useBias?: boolean;
  /**
   * The default of the call argument `useCausalMask` (default false): the way
   * to a causal layer in `tf.sequential`, which passes no call arguments.
   */
  readonly useCausalMask?: boolean;
  /** Initializer of the Q/K/V projection kernels (default glorotUniform, as Keras). */
  readonly kernelInitializer?: InitializerSpec;
  /** Initializer of the Q/K/V projection biases (default zeros, as Keras). */
  readonly biasInitializer?: InitializerSpec;
  /** Seed of the default initial weights (weight i draws with seed + i); unseeded by default. */
  readonly seed?: number;
}

/** Constructor arguments: the configuration plus tfjs's usual layer arguments (name, trainable, inputShape, …). */
export type SASMultiHeadAttentionArgs = SASMultiHeadAttentionConfig & TfjsLayerArgs;

/** The configuration with every default filled in and every value checked. */
export interface ResolvedMhaConfig {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly simHeads: number;
  readonly simKeyDim: number;
  readonly kernelSize: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly useCausalMask: boolean;
  /** Undefined where the caller gave none: the seeded default is drawn per weight. */
  readonly kernelInitializer: Initializer | undefined;
  readonly biasInitializer: Initializer | undefined;
  readonly seed: number | undefined;
}

const OWN_KEYS = [
  'numHeads',
  'keyDim',
  'valueDim',
  'simHeads',
  'simKeyDim',
  'kernelSize',
  'dropout',
  'useBias',
  'useCausalMask',
  'kernelInitializer',
  'biasInitializer',
  'seed',
];
// tfjs's LayerArgs, and `customObjects`, which tf.loadLayersModel adds to a saved config it restores.
const TFJS_KEYS = ['inputShape', 'batchInputShape', 'batchSize', 'dtype', 'name', 'trainable', 'weights', 'inputDType', 'customObjects'];
/** Keras MultiHeadAttention arguments this layer does not implement: refused by name rather than ignored. */
const KERAS_UNSUPPORTED: Readonly<Record<string, string>> = {
  outputShape: 'the output is PEAA’s [B, Tq, numHeads·valueDim]; add a dense layer after it for another width',
  attentionAxes: 'attention runs over the sequence axis of rank-3 inputs only',
  kernelRegularizer: 'regularizers are not implemented',
  biasRegularizer: 'regularizers are not implemented',
  activityRegularizer: 'regularizers are not implemented',
  kernelConstraint: 'constraints are not implemented',
  biasConstraint: 'constraints are not implemented',
};

const fail = (message: string): never => {
  throw new SasError('E_CONFIG', `SASMultiHeadAttention: ${message}`);
};

/**
 * Checks the constructor arguments and fills in the defaults. Unknown and
 * unsupported arguments are `E_CONFIG` errors naming the argument; so is
 * every broken SAS rule (simHeads a multiple of numHeads, odd kernelSize, …).
 *
 * @example
 * ```ts
 * resolveMhaConfig({ numHeads: 2, keyDim: 4, simHeads: 4, simKeyDim: 8 }).valueDim; // 4
 * ```
 */
export function resolveMhaConfig(args: SASMultiHeadAttentionArgs): ResolvedMhaConfig {
  if (args === null || typeof args !== 'object') fail(`expected a config object, got ${String(args)}`);
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    if (key in KERAS_UNSUPPORTED) fail(`'${key}' is not supported: ${KERAS_UNSUPPORTED[key]}`);
    if (!OWN_KEYS.includes(key) && !TFJS_KEYS.includes(key)) fail(`unknown argument '${key}' (expected one of ${[...OWN_KEYS, ...TFJS_KEYS].join(', ')})`);
  }
  if (args.dtype !== undefined && args.dtype !== 'float32') fail(`dtype must be 'float32' (tfjs computes SAS in float32), got '${args.dtype}'`);
  const valueDim = args.valueDim ?? args.keyDim;
  const kernelSize = args.kernelSize ?? 3;
  const sizes: [string, unknown][] = [
    ['numHeads', args.numHeads],
    ['keyDim', args.keyDim],
    ['valueDim', valueDim],
    ['simHeads', args.simHeads],
    ['simKeyDim', args.simKeyDim],
    ['kernelSize', kernelSize],
  ];
  for (const [name, value] of sizes) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(`${name} must be a positive integer, got ${String(value)}`);
  }
  if (args.simHeads % args.numHeads !== 0) fail(`simHeads must be a multiple of numHeads (${args.numHeads}), got ${args.simHeads}`);
  if (kernelSize % 2 === 0) fail(`kernelSize must be odd (an even kernel changes the feature length in the reference), got ${kernelSize}`);
  const dropout = args.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail(`dropout must be a rate in [0, 1), got ${String(dropout)}`);
  const useBias = args.useBias ?? true;
  if (typeof useBias !== 'boolean') fail(`useBias must be a boolean, got ${String(useBias)}`);
  const useCausalMask = args.useCausalMask ?? false;
  if (typeof useCausalMask !== 'boolean') fail(`useCausalMask must be a boolean, got ${String(useCausalMask)}`);
  if (args.seed !== undefined && !Number.isInteger(args.seed)) fail(`seed must be an integer, got ${String(args.seed)}`);
  return {
    numHeads: args.numHeads,
    keyDim: args.keyDim,
    valueDim,
    simHeads: args.simHeads,
    simKeyDim: args.simKeyDim,
    kernelSize,
    dropout,
    useBias,
    useCausalMask,
    kernelInitializer: args.kernelInitializer === undefined ? undefined : toInitializer(args.kernelInitializer, 'kernelInitializer'),
    biasInitializer: args.biasInitializer === undefined ? undefined : toInitializer(args.biasInitializer, 'biasInitializer'),
    seed: args.seed,
  };
}

/**
 * The core SAS configuration of one branch graph: `headDim` is keyDim for the
 * query/key branches and valueDim for the value branch (their convolution
 * weights do not depend on it).
 *
 * @example
 * ```ts
 * sasConfigOf({ numHeads: 2, simHeads: 4, simKeyDim: 8 }, 4, 3, 1, 16).kind; // 'sas'
 * ```
 */
export function sasConfigOf(
  c: Pick<SASMultiHeadAttentionConfig, 'numHeads' | 'simHeads' | 'simKeyDim'>,
  headDim: number,
  kernelSize: number,
  batch: number,
  seqLen: number,
): SASConfig {
  return validateConfig({
    kind: 'sas',
    batch,
    seqLen,
    heads: c.numHeads,
    headDim,
    simHeads: c.simHeads,
    simHeadDim: c.simKeyDim,
    kernelSize,
    causal: false,
  }) as SASConfig;
}
