import { loadGenerationFixtures, readLanguageModelFile } from '@sas/conformance';
import type { Backend } from '@sas/core';
import { streamGeneration } from './stream.js';

/** What the demo's generation line showed. */
export interface DemoGeneration {
  readonly model: string;
  readonly prompt: string;
  readonly text: string;
  /** The text equals the fixture's greedy continuation (computed in float64 by PyTorch). */
  readonly matchesReference: boolean;
  readonly tokensPerSecond: number;
}

/**
 * The demo's last act: the bundled char GPT (MODEL.md's generation fixture,
 * trained on the Brown corpus) continues its prompt greedily on `backend`
 * with cached decoding, streamed to `write` as it comes (nothing written when
 * `write` is undefined), and the text is checked against the fixture's.
 *
 * @example
 * ```ts
 * const line = await demoGeneration(backend, (s) => process.stdout.write(s));
 * line.matchesReference; // true
 * ```
 */
export async function demoGeneration(backend: Backend, write?: (text: string) => void): Promise<DemoGeneration> {
  const [fixture] = loadGenerationFixtures();
  const model = readLanguageModelFile(fixture.path);
  const c = model.config;
  const a = c.attention;
  const shape = a.kind === 'sas' ? `SAS H'=${a.simHeads} D'=${a.simHeadDim}` : a.kind.toUpperCase();
  write?.(
    `\n${fixture.name}: a char GPT (${c.layers} layers, width ${c.width}, ${c.heads} heads, ${shape}) trained on the Brown corpus, greedy, cached decoding:\n`,
  );
  write?.(fixture.prompt);
  const run = await streamGeneration(model, fixture.prompt, { backend, maxNewTokens: fixture.newTokens, temperature: 0 }, (ch) => write?.(ch));
  const matchesReference = run.text === fixture.greedy;
  write?.(
    `\n${run.tokens} characters at ${run.tokensPerSecond.toFixed(1)} tokens/s; ${matchesReference ? 'identical to' : 'NOT identical to'} the PyTorch float64 greedy text\n`,
  );
  return { model: fixture.name, prompt: fixture.prompt, text: run.text, matchesReference, tokensPerSecond: run.tokensPerSecond };
}
