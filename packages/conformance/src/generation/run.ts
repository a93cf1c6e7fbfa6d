import { Decoder, generate, SasError, type Backend, type LanguageModel } from '@sas/core';
import type { GenerationFixture } from './record.js';

/** Default bound on |logit − promptLastLogits| (issue 15: every backend within 1e-4). */
export const GENERATION_LOGITS_TOLERANCE = 1e-4;

/** What a backend produced on one generation fixture. */
export interface GenerationReport {
  readonly name: string;
  readonly backend: string;
  readonly mode: string;
  readonly dtype: string;
  /** max |ours − promptLastLogits| at the prompt's last position. */
  readonly logitsMaxAbs: number;
  readonly logitsTolerance: number;
  readonly expected: string;
  readonly generated: string;
  /** Index of the first character that differs from `expected`, or −1. */
  readonly firstMismatch: number;
  /** New tokens per second of the greedy decode (prefill included). */
  readonly tokensPerSecond: number;
  readonly passed: boolean;
}

/**
 * Runs a generation fixture on a backend: the prompt's last logits (one
 * prefill) against `promptLastLogits`, and `newTokens` characters of greedy
 * decoding (`generate` at temperature 0, cached) against `greedy`. Passes when
 * the text is identical and the logits are within `tolerance`.
 *
 * @example
 * ```ts
 * import { createReferenceBackend } from '@sas/core';
 * import { loadGenerationFixtures, readLanguageModelFile, runGenerationCase } from '@sas/conformance';
 * const [fixture] = loadGenerationFixtures();
 * const report = await runGenerationCase(createReferenceBackend(), fixture, readLanguageModelFile(fixture.path));
 * report.passed; // true
 * ```
 */
export async function runGenerationCase(
  backend: Backend,
  fixture: GenerationFixture,
  model: LanguageModel,
  options: { readonly tolerance?: number; readonly dtype?: Backend['dtypes'][number] } = {},
): Promise<GenerationReport> {
  const vocab = model.vocab?.join('');
  if (vocab !== fixture.vocab) {
    throw new SasError(
      'E_FIXTURE',
      `${fixture.name}: the record's vocab differs from its checkpoint's (${JSON.stringify(fixture.vocab)} vs ${JSON.stringify(vocab)})`,
    );
  }
  if (fixture.promptLastLogits.length !== model.config.vocab) {
    throw new SasError(
      'E_FIXTURE',
      `${fixture.name}: promptLastLogits has ${fixture.promptLastLogits.length} values, the model's vocab is ${model.config.vocab}`,
    );
  }
  const dtype = options.dtype ?? backend.dtypes[0];
  const tolerance = options.tolerance ?? GENERATION_LOGITS_TOLERANCE;
  const decoder = new Decoder(model, { backend, dtype });
  const p = [...fixture.prompt].length;
  const logits = await decoder.prefill([...fixture.prompt].map((ch) => model.vocab!.indexOf(ch)));
  const v = model.config.vocab;
  const last = logits.data.subarray((p - 1) * v, p * v);
  const logitsMaxAbs = fixture.promptLastLogits.reduce((m, e, i) => Math.max(m, Math.abs(last[i] - e)), 0);
  const start = performance.now();
  let generated = '';
  for await (const ch of generate(model, fixture.prompt, { backend, dtype, maxNewTokens: fixture.newTokens, temperature: 0 })) generated += ch;
  const seconds = (performance.now() - start) / 1000;
  const expected = [...fixture.greedy];
  const got = [...generated];
  let firstMismatch = expected.findIndex((ch, i) => got[i] !== ch);
  if (firstMismatch < 0 && got.length !== expected.length) firstMismatch = Math.min(got.length, expected.length);
  return {
    name: fixture.name,
    backend: backend.name,
    mode: backend.mode,
    dtype,
    logitsMaxAbs,
    logitsTolerance: tolerance,
    expected: fixture.greedy,
    generated,
    firstMismatch,
    tokensPerSecond: got.length / seconds,
    passed: firstMismatch < 0 && logitsMaxAbs <= tolerance,
  };
}

/**
 * A report as one line, then the first difference if any.
 *
 * @example
 * ```ts
 * import { formatGenerationReport } from '@sas/conformance';
 * console.log(formatGenerationReport(report));
 * ```
 */
export function formatGenerationReport(r: GenerationReport): string {
  const lines = [
    `${r.passed ? 'PASS' : 'FAIL'}  ${r.name} on ${r.backend} (${r.mode}, ${r.dtype}): last prompt logits max|err| ${r.logitsMaxAbs.toExponential(2)} (≤ ${r.logitsTolerance}), greedy ${r.firstMismatch < 0 ? 'identical' : `differs at character ${r.firstMismatch}`}, ${r.tokensPerSecond.toFixed(1)} tokens/s`,
  ];
  if (r.firstMismatch >= 0) lines.push(`      expected ${JSON.stringify(r.expected)}`, `      got      ${JSON.stringify(r.generated)}`);
  return lines.join('\n');
}
