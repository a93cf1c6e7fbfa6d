/**
 * The files the page reads, all from its own origin (build/repo-assets.ts
 * serves or emits them): fixtures, the Brown checkpoint and its record, the
 * Brown slice for training.
 */
import { readLanguageModel, type LanguageModel } from '@sas/core';
import { parseGenerationRecord, type GenerationFixture } from '@sas/conformance/portable';

/** A path of the app, as an absolute URL (the app may live under any path). */
export const assetUrl = (path: string): string => new URL(path, document.baseURI).href;

/** Layer fixtures (the authors' PyTorch outputs): manifest.json and one safetensors file per case. */
export const LAYER_FIXTURES = 'fixtures/';
/** Char GPT fixtures (training steps of tiny models). */
export const MODEL_FIXTURES = 'models/';
/** The bundled Brown checkpoint and its PyTorch record. */
export const CHECKPOINT = 'models/generation/gen-sas-brown.safetensors';
export const CHECKPOINT_RECORD = 'models/generation/gen-sas-brown.json';

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(assetUrl(path));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

/**
 * The bytes of an app file.
 *
 * @example
 * ```ts
 * const bytes = await fetchBytes('models/generation/gen-sas-brown.safetensors');
 * ```
 */
export async function fetchBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await (await fetchOk(path)).arrayBuffer());
}

/**
 * An app file parsed as JSON.
 *
 * @example
 * ```ts
 * const manifest = await fetchJson('fixtures/manifest.json');
 * ```
 */
export async function fetchJson(path: string): Promise<unknown> {
  return (await fetchOk(path)).json();
}

/** The checkpoint and what PyTorch made of it: its greedy continuation of a prompt. */
export interface BundledModel {
  readonly model: LanguageModel;
  readonly record: GenerationFixture;
}

let bundled: Promise<BundledModel> | undefined;

/**
 * The bundled Brown checkpoint (read once per page): config, weights and
 * vocabulary via core's `readLanguageModel`, with its generation record.
 *
 * @example
 * ```ts
 * const { model, record } = await loadBundledModel();
 * model.config.layers; // 2
 * record.prompt;       // 'The jury said that the city'
 * ```
 */
export function loadBundledModel(): Promise<BundledModel> {
  bundled ??= (async () => {
    const [bytes, json] = await Promise.all([fetchBytes(CHECKPOINT), fetchJson(CHECKPOINT_RECORD)]);
    const model = readLanguageModel(bytes, { source: CHECKPOINT });
    const record = parseGenerationRecord(json, CHECKPOINT_RECORD, (file) => assetUrl(`models/generation/${file}`));
    return { model, record };
  })();
  return bundled;
}
