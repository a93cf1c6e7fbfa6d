import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@sas/conformance';
import { decodeCheckpoint, encodeCheckpoint, type ModelConfig, SasError, type TrainerState } from '@sas/core';
import { checkStreamState, type StreamState } from '@sas/data';
import type { RunProgress } from './loop.js';
import { optimizerOf } from './model.js';
import type { RunOptions } from './options.js';

/** `__metadata__` keys `sas train` adds to core's checkpoint layout (docs/training.md). */
const KEYS = { run: 'sas_train.run', progress: 'sas_train.progress', vocab: 'vocab' } as const;

/** A `sas train` checkpoint: core's (config, step, params, AdamW moments, data position) plus the run's own record. */
export interface RunCheckpoint {
  readonly config: ModelConfig;
  readonly trainer: TrainerState;
  /** The training stream's position (core's `data` field). */
  readonly stream: StreamState;
  readonly run: RunOptions;
  readonly progress: RunProgress;
  /** The characters of a text task (index → character), as MODEL.md's generation fixture stores them. */
  readonly chars: readonly string[] | null;
}

/**
 * Writes the checkpoint atomically (temporary file in the same directory,
 * fsync, rename: a reader, or a run killed mid-write, only ever sees a whole
 * checkpoint). `replace` allows replacing an existing file.
 */
export function writeRunCheckpoint(path: string, c: RunCheckpoint, replace: boolean): void {
  const metadata: Record<string, string> = { [KEYS.run]: JSON.stringify(c.run), [KEYS.progress]: JSON.stringify(c.progress) };
  if (c.chars) metadata[KEYS.vocab] = JSON.stringify(c.chars);
  const bytes = encodeCheckpoint({
    config: c.config,
    step: c.trainer.step,
    params: c.trainer.params,
    moments: c.trainer.moments,
    data: c.stream,
    optimizer: optimizerOf(c.run),
    metadata,
  });
  writeFileAtomic(path, bytes, { force: replace });
}

function readJson(text: string | undefined, path: string, key: string): unknown {
  if (text === undefined) throw new SasError('E_IO', `${path}: not a 'sas train' checkpoint (its metadata has no ${key})`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SasError('E_IO', `${path}: metadata ${key} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads a `sas train` checkpoint; a missing file, another kind of file, or
 * tensors that do not fit its config are one-line errors naming the file.
 */
export function readRunCheckpoint(path: string): RunCheckpoint {
  if (!existsSync(path)) throw new SasError('E_IO', `--resume: no checkpoint at ${path} (leave out --resume to start a new run)`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new SasError('E_IO', `--resume: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const c = decodeCheckpoint(bytes, { source: path });
  const meta = c.metadata ?? {};
  const run = readJson(meta[KEYS.run], path, KEYS.run) as RunOptions;
  const progress = readJson(meta[KEYS.progress], path, KEYS.progress) as RunProgress;
  checkStreamState(c.data, `${path}: data`);
  if (progress.step !== c.step) throw new SasError('E_IO', `${path}: progress step ${progress.step} differs from the checkpoint's step ${c.step}`);
  const chars = meta[KEYS.vocab] === undefined ? null : (readJson(meta[KEYS.vocab], path, KEYS.vocab) as string[]);
  return { config: c.config, trainer: { step: c.step, params: c.params, moments: c.moments }, stream: c.data, run, progress, chars };
}
