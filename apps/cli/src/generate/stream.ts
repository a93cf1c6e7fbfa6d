import { generate, type GenerateOptions, type LanguageModel } from '@sas/core';
import { asFlagError } from './numbers.js';

/** What a streamed generation produced, and how fast. */
export interface StreamedGeneration {
  readonly text: string;
  /** New tokens (characters). */
  readonly tokens: number;
  /** From the call to the first character: the prefill and one sample. */
  readonly firstTokenMs: number;
  readonly seconds: number;
  /** New tokens per second over the whole call (prefill included). */
  readonly tokensPerSecond: number;
  /** Tokens per second after the first (the cached steps alone). */
  readonly stepTokensPerSecond: number;
}

/**
 * Runs `generate` and hands every character to `onText` as it comes (a
 * terminal sees the text appear); option errors name the CLI flags.
 *
 * @example
 * ```ts
 * const run = await streamGeneration(model, 'The jury', { backend, temperature: 0 }, (ch) => process.stdout.write(ch));
 * run.tokensPerSecond;
 * ```
 */
export async function streamGeneration(
  model: LanguageModel,
  prompt: string,
  options: GenerateOptions,
  onText: (text: string) => void,
): Promise<StreamedGeneration> {
  const start = performance.now();
  let first = 0;
  let text = '';
  let tokens = 0;
  try {
    for await (const ch of generate(model, prompt, options)) {
      if (tokens === 0) first = performance.now();
      tokens++;
      text += ch;
      onText(ch);
    }
  } catch (e) {
    throw asFlagError(e);
  }
  const end = performance.now();
  const seconds = (end - start) / 1000;
  return {
    text,
    tokens,
    firstTokenMs: tokens > 0 ? first - start : 0,
    seconds,
    tokensPerSecond: tokens / seconds,
    stepTokensPerSecond: tokens > 1 ? ((tokens - 1) * 1000) / (end - first) : 0,
  };
}
