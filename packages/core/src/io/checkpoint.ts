// A training checkpoint as one safetensors byte buffer: the params under
// MODEL.md's names, the AdamW moments as `opt.m.<name>` / `opt.v.<name>`, and
// in `__metadata__` the model config, the step count, an opaque data-position
// record and any extra strings. Bytes only: writing the file atomically is the
// caller's (Node) job, e.g. `writeFileAtomic` of @sas/conformance.

import { SasError } from '../errors.js';
import { canonicalModelConfig, validateModelConfig, type ModelConfig } from '../model/config.js';
import { frozenParams, modelParams } from '../model/params.js';
import type { OptimizerOptions } from '../train/optimizer.js';
import { fmtShape, sameShape, type Tensor } from '../tensor.js';
import { parseSafetensors, serializeSafetensors } from './safetensors.js';

/** The `format` metadata value of checkpoints this library writes. */
export const CHECKPOINT_FORMAT = 'sas-checkpoint';
/** Version of the checkpoint layout (docs/models.md). */
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint holds. */
export interface Checkpoint {
  readonly config: ModelConfig;
  /** Steps taken (0 for weights alone). */
  readonly step: number;
  /** Every parameter under MODEL.md's names. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** AdamW moments `opt.m.<name>`, `opt.v.<name>` of the trainable params (empty for weights alone or SGD). */
  readonly moments: Readonly<Record<string, Tensor>>;
  /** Where the data stream stands (any JSON value: a cursor, a seed and an offset…), opaque to the library. */
  readonly data?: unknown;
  /** The optimizer settings of the run, for the record. */
  readonly optimizer?: OptimizerOptions;
  /** Further `__metadata__` strings kept as they are (e.g. `vocab`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Metadata keys the checkpoint layout itself uses. */
const OWN_KEYS = ['format', 'version', 'model', 'step', 'data', 'optimizer'];

/** Options of `decodeCheckpoint`. */
export interface DecodeCheckpointOptions {
  /** Names the file in messages. */
  readonly source?: string;
  /** The config the run expects: the file's must equal it (a file without one is read with it). */
  readonly config?: ModelConfig;
}

/**
 * Serialises a checkpoint to safetensors bytes (tensors at their own dtype,
 * so float32 state round-trips bit for bit), checking its tensors against
 * its config first.
 *
 * @example
 * ```ts
 * import { encodeCheckpoint, initModel } from '@sas/core';
 * const config = { vocab: 13, width: 16, layers: 1, heads: 2, maxSeqLen: 12, attention: { kind: 'mha' } } as const;
 * const bytes = encodeCheckpoint({ config, step: 0, params: initModel(config, 1), moments: {}, data: { offset: 0 } });
 * // writeFileAtomic('run.ckpt', bytes) on Node
 * ```
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const config = validateModelConfig(checkpoint.config);
  if (!Number.isSafeInteger(checkpoint.step) || checkpoint.step < 0) {
    throw new SasError('E_WEIGHTS', `encodeCheckpoint: step must be a non-negative integer, got ${checkpoint.step}`);
  }
  const tensors = { ...checkpoint.params, ...checkpoint.moments };
  checkTensors(tensors, config, 'encodeCheckpoint');
  const metadata: Record<string, string> = { ...checkpoint.metadata };
  for (const key of OWN_KEYS) delete metadata[key];
  metadata.format = CHECKPOINT_FORMAT;
  metadata.version = String(CHECKPOINT_VERSION);
  metadata.model = JSON.stringify(canonicalModelConfig(config));
  metadata.step = String(checkpoint.step);
  if (checkpoint.data !== undefined) metadata.data = JSON.stringify(checkpoint.data);
  if (checkpoint.optimizer !== undefined) metadata.optimizer = JSON.stringify(checkpoint.optimizer);
  return serializeSafetensors(tensors, { metadata });
}

/**
 * Reads a checkpoint from safetensors bytes: the model config (from
 * `__metadata__`, or `options.config` for a weights file without one), step,
 * data position, params and moments. Every tensor is checked against the
 * config: the first missing, unexpected or mis-shaped one is a one-line
 * `E_WEIGHTS` error naming it. A plain weights file with MODEL.md's names
 * (such as the generation fixture) reads as step 0 without moments.
 *
 * @example
 * ```ts
 * import { decodeCheckpoint } from '@sas/core';
 * const ckpt = decodeCheckpoint(bytes, { source: 'run.ckpt' });
 * ckpt.step; ckpt.params['tok.weight'].shape; ckpt.data;
 * ```
 */
export function decodeCheckpoint(bytes: Uint8Array, options: DecodeCheckpointOptions = {}): Checkpoint {
  const source = options.source ?? '<bytes>';
  const { tensors, metadata } = parseSafetensors(bytes, source);
  const fail = (message: string): never => {
    throw new SasError('E_WEIGHTS', `${source}: ${message}`);
  };
  if (metadata.format !== undefined && metadata.format !== CHECKPOINT_FORMAT) fail(`__metadata__ format is '${metadata.format}', not '${CHECKPOINT_FORMAT}'`);
  if (metadata.version !== undefined && metadata.version !== String(CHECKPOINT_VERSION)) {
    fail(`checkpoint version ${metadata.version} is not one this library reads (${CHECKPOINT_VERSION})`);
  }
  const stored = metadata.model === undefined ? undefined : readModelConfig(metadata.model, source);
  if (stored === undefined && options.config === undefined) fail("no model config: __metadata__ has no 'model' and none was given");
  const config = stored ?? validateModelConfig(options.config);
  if (stored !== undefined && options.config !== undefined) {
    const [written, wanted] = [stored, options.config].map((c) => JSON.stringify(canonicalModelConfig(c)));
    if (written !== wanted) fail(`written for model ${written}, but this run's model is ${wanted}`);
  }
  const step = metadata.step === undefined ? 0 : Number(metadata.step);
  if (!Number.isSafeInteger(step) || step < 0) fail(`__metadata__ step must be a non-negative integer, got '${metadata.step}'`);
  const all = Object.fromEntries(tensors);
  checkTensors(all, config, source);
  const params: Record<string, Tensor> = {};
  const moments: Record<string, Tensor> = {};
  for (const [name, t] of tensors) (name.startsWith('opt.') ? moments : params)[name] = t;
  const extra = Object.fromEntries(Object.entries(metadata).filter(([k]) => !OWN_KEYS.includes(k)));
  return {
    config,
    step,
    params,
    moments,
    data: metadata.data === undefined ? undefined : parseJson(metadata.data, source, 'data'),
    optimizer: metadata.optimizer === undefined ? undefined : (parseJson(metadata.optimizer, source, 'optimizer') as OptimizerOptions),
    metadata: extra,
  };
}

function parseJson(text: string, source: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SasError('E_WEIGHTS', `${source}: __metadata__ ${key} is not valid JSON (${(e as Error).message})`);
  }
}

function readModelConfig(text: string, source: string): ModelConfig {
  const raw = parseJson(text, source, 'model');
  try {
    return validateModelConfig(raw);
  } catch (e) {
    throw new SasError('E_WEIGHTS', `${source}: __metadata__ model: ${(e as Error).message}`);
  }
}

/**
 * Every tensor is a param of the config or a moment of a trainable one,
 * shaped as the config says; every param is there; moments come for every
 * trainable param or for none.
 */
function checkTensors(tensors: Readonly<Record<string, Tensor>>, config: ModelConfig, source: string): void {
  const { shapes, specs } = modelParams(config);
  const frozen = new Set(frozenParams(config));
  const expected = new Map<string, readonly number[]>(Object.entries(shapes));
  const momentShapes = new Map<string, readonly number[]>();
  for (const p of specs) if (!frozen.has(p.name)) for (const m of ['m', 'v']) momentShapes.set(`opt.${m}.${p.name}`, p.shape);
  const fail = (message: string): never => {
    throw new SasError('E_WEIGHTS', `${source}: ${message}`);
  };
  for (const [name, t] of Object.entries(tensors)) {
    const shape = expected.get(name) ?? momentShapes.get(name);
    if (!shape) fail(`unexpected tensor '${name}' (neither a parameter of the model config nor an optimizer moment of a trainable one)`);
    else if (!sameShape(t.shape, shape)) fail(`tensor '${name}' has shape ${fmtShape(t.shape)}, but the model config needs ${fmtShape(shape)}`);
  }
  for (const [name, shape] of expected) if (!(name in tensors)) fail(`missing tensor '${name}' of shape ${fmtShape(shape)} that the model config needs`);
  const hasMoments = Object.keys(tensors).some((n) => momentShapes.has(n));
  if (hasMoments) {
    for (const [name, shape] of momentShapes)
      if (!(name in tensors)) fail(`missing tensor '${name}' of shape ${fmtShape(shape)} (the other optimizer moments are there)`);
  }
}
