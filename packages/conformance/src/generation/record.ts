import { SasError } from '@sas/core';

/**
 * One case of a generation fixture directory (MODEL.md, `generation/`): a
 * char model checkpoint and what it must produce.
 */
export interface GenerationFixture {
  readonly name: string;
  /** The checkpoint file as the record names it. */
  readonly file: string;
  /** Where to read the checkpoint: an absolute path on disk, or a URL in a browser. */
  readonly path: string;
  /** Id → character as the record lists them, joined (must equal the checkpoint's). */
  readonly vocab: string;
  readonly prompt: string;
  /** The next `newTokens` characters by argmax, computed in float64 from the checkpoint's weights. */
  readonly greedy: string;
  readonly newTokens: number;
  /** Smallest top-1 − top-2 logit gap along the greedy path: how much rounding the path can take. */
  readonly minMargin?: number;
  /** Float64 logits at the prompt's last position. */
  readonly promptLastLogits: readonly number[];
}

/**
 * Validates a parsed generation record (`<name>.json`); `locate` turns its
 * `file` into where to read the checkpoint; `defaults` name the case and its
 * checkpoint when the record does not (`<name>`, `<name>.safetensors`). The
 * vocabulary may be a string or an array of characters. Every defect is an
 * `E_FIXTURE` error naming `where`.
 *
 * @example
 * ```ts
 * import { parseGenerationRecord } from '@sas/conformance/portable';
 * const fixture = parseGenerationRecord(await (await fetch('/models/generation/gen-sas-brown.json')).json(), 'gen-sas-brown.json', (f) => `/models/generation/${f}`);
 * ```
 */
export function parseGenerationRecord(
  record: unknown,
  where: string,
  locate: (file: string) => string,
  defaults: { readonly name?: string; readonly file?: string } = {},
): GenerationFixture {
  const fail = (message: string): never => {
    throw new SasError('E_FIXTURE', `${where}: ${message}`);
  };
  if (!record || typeof record !== 'object' || Array.isArray(record)) fail('expected a JSON object');
  const given = record as Record<string, unknown>;
  // MODEL.md lists vocab, prompt, greedy, minMargin and promptLastLogits; name and file may be left to the record's own file name.
  const vocab = Array.isArray(given.vocab) && given.vocab.every((ch) => typeof ch === 'string') ? given.vocab.join('') : given.vocab;
  const r: Record<string, unknown> = { name: defaults.name, file: defaults.file, ...given, vocab };
  for (const key of ['name', 'file', 'vocab', 'prompt', 'greedy'])
    if (typeof r[key] !== 'string' || (r[key] as string).length === 0) fail(`"${key}" must be a non-empty string`);
  const greedy = r.greedy as string;
  const newTokens = r.newTokens ?? [...greedy].length;
  if (typeof newTokens !== 'number' || !Number.isInteger(newTokens) || newTokens !== [...greedy].length) {
    fail(`"newTokens" must be the length of "greedy" (${[...greedy].length}), got ${JSON.stringify(r.newTokens)}`);
  }
  const logits = r.promptLastLogits;
  if (!Array.isArray(logits) || logits.length === 0 || logits.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    fail('"promptLastLogits" must be a non-empty array of finite numbers');
  }
  if (r.minMargin !== undefined && typeof r.minMargin !== 'number') fail('"minMargin" must be a number');
  return {
    name: r.name as string,
    file: r.file as string,
    path: locate(r.file as string),
    vocab: r.vocab as string,
    prompt: r.prompt as string,
    greedy,
    newTokens: newTokens as number,
    ...(r.minMargin !== undefined ? { minMargin: r.minMargin as number } : {}),
    promptLastLogits: logits as number[],
  };
}
