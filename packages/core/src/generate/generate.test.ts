import { describe, expect, it } from 'vitest';
import {
  argmax,
  buildModel,
  createReferenceBackend,
  encodeCheckpoint,
  evaluateReference,
  generate,
  generateIds,
  initModel,
  readLanguageModel,
  serializeSafetensors,
  tensor,
  type Backend,
  type LanguageModel,
  type ModelConfig,
} from '@sas/core';
import { sasError } from '../test-support/sas-error.js';

const CHARS = [' ', 'a', 'b', 'c', 'd', 'e', 'h', 'l', 'o', 't'];
const CONFIG: ModelConfig = { vocab: 10, width: 16, layers: 2, heads: 2, maxSeqLen: 24, attention: { kind: 'sas', simHeads: 4, simHeadDim: 8, kernelSize: 3 } };
const MODEL: LanguageModel = { config: CONFIG, params: initModel(CONFIG, 11, { dtype: 'float64' }), vocab: CHARS };

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Greedy decoding the slow way: the full forward pass over the whole sequence for every token. */
async function recomputedGreedy(model: LanguageModel, prompt: number[], n: number): Promise<number[]> {
  const ids = [...prompt];
  for (let i = 0; i < n; i++) {
    const t = ids.length;
    const { logits } = await evaluateReference(buildModel(model.config, { batch: 1, seqLen: t, dtype: 'float64', loss: false }), {
      ...model.params,
      ids: tensor(ids, [1, t]),
    });
    ids.push(argmax(logits.data.subarray((t - 1) * model.config.vocab)));
  }
  return ids.slice(prompt.length);
}

/** The reference backend, counting runs (to show that bad options are refused before anything runs). */
function counting(): Backend & { runs: number } {
  const inner = createReferenceBackend();
  const wrapped = { ...inner, runs: 0, run: (...args: Parameters<Backend['run']>) => (wrapped.runs++, inner.run(...args)) };
  return wrapped;
}

describe('generate', () => {
  it('greedy (temperature 0) yields what recomputing the whole sequence per token picks', async () => {
    const prompt = 'the cat';
    const ids = [...prompt].map((ch) => CHARS.indexOf(ch));
    const expected = await recomputedGreedy(MODEL, ids, 15);
    expect(await collect(generateIds(MODEL, ids, { maxNewTokens: 15, temperature: 0 }))).toEqual(expected);
    expect((await collect(generate(MODEL, prompt, { maxNewTokens: 15, temperature: 0 }))).join('')).toBe(expected.map((i) => CHARS[i]).join(''));
  });

  it('seeded sampling is deterministic, and the seed matters', async () => {
    const run = (seed: number) => collect(generate(MODEL, 'hello', { maxNewTokens: 18, temperature: 1.2, topK: 8, topP: 0.95, seed }));
    const first = await run(7);
    expect(first).toHaveLength(18);
    expect(await run(7)).toEqual(first);
    const others = await Promise.all([8, 9, 10].map(run));
    expect(others.some((o) => o.join('') !== first.join(''))).toBe(true);
  });

  it('stops where the text would end with a stop string, yielding nothing of it', async () => {
    const full = (await collect(generate(MODEL, 'a', { maxNewTokens: 20, temperature: 1, seed: 3 }))).join('');
    const stop = full.slice(6, 8);
    const cut = full.indexOf(stop);
    const text = (await collect(generate(MODEL, 'a', { maxNewTokens: 20, temperature: 1, seed: 3, stop }))).join('');
    expect(text).toBe(full.slice(0, cut));
    expect((await collect(generate(MODEL, 'a', { maxNewTokens: 20, temperature: 1, seed: 3, stop: ['zz', '\n'] }))).join('')).toBe(full);
    const firstId = CHARS.indexOf(full[0]);
    expect(await collect(generateIds(MODEL, [1], { maxNewTokens: 20, temperature: 1, seed: 3, stop: [firstId] }))).toEqual([]);
  });

  it('fills the context by default: prompt + new tokens = maxSeqLen', async () => {
    expect(await collect(generate(MODEL, 'abcd', { temperature: 0 }))).toHaveLength(20);
  });

  it('refuses bad prompts and options in one line each, before anything runs', async () => {
    const backend = counting();
    const cases: [string, object, string][] = [
      ['the cax', {}, 'prompt: character "x" (U+0078) at position 6 is not in the model\'s vocabulary (10 characters)'],
      ['tab\there', {}, 'prompt: character "\\t" (U+0009) at position 3 is not in the model\'s vocabulary (10 characters)'],
      ['', {}, 'prompt: expected at least one character, got an empty prompt'],
      ['a'.repeat(25), {}, "prompt: 25 tokens exceed the model's maxSeqLen (24): it has no position embedding beyond"],
      [
        'hello',
        { maxNewTokens: 20 },
        "maxNewTokens: the prompt (5 tokens) plus 20 new tokens exceed the model's maxSeqLen (24); at most 19 fit after this prompt",
      ],
      ['hello', { maxNewTokens: 0 }, 'maxNewTokens: expected a positive integer, got 0'],
      ['hello', { maxNewTokens: 2.5 }, 'maxNewTokens: expected a positive integer, got 2.5'],
      ['hello', { maxNewTokens: '5' }, 'maxNewTokens: expected a positive integer, got "5"'],
      ['hello', { temperature: -1 }, 'temperature: expected a finite number ≥ 0 (0 is greedy), got -1'],
      ['hello', { topK: 11 }, 'topK: expected an integer in [1, 10] (the vocabulary size), got 11'],
      ['hello', { topP: 0 }, 'topP: expected a number in (0, 1], got 0'],
      ['hello', { seed: -1 }, 'seed: expected an integer in [0, 4294967295], got -1'],
      ['hello', { seed: 2 ** 32 }, 'seed: expected an integer in [0, 4294967295], got 4294967296'],
      ['hello', { seed: 0.5 }, 'seed: expected an integer in [0, 4294967295], got 0.5'],
      ['hello', { stop: '' }, 'stop: expected a non-empty string or an array of them, got ""'],
    ];
    for (const [prompt, options, message] of cases) {
      const error = await collect(generate(MODEL, prompt, { ...options, backend })).then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
      expect([error?.message, error?.code], prompt).toEqual([message, 'E_INPUT']);
    }
    expect(backend.runs).toBe(0);
    const noVocab = await collect(generate({ config: CONFIG, params: MODEL.params }, 'hello')).catch((e: Error) => e.message);
    expect(noVocab).toBe('generate: this model has no vocabulary (no vocab in its checkpoint metadata): use generateIds with token ids');
  });
});

describe('readLanguageModel', () => {
  const params = initModel(CONFIG, 5);
  const model = JSON.stringify(CONFIG);

  it('reads F32, F16, BF16 and F64 weights with model and vocab metadata, and sas train checkpoints with either vocab form', () => {
    for (const dtype of ['F32', 'F16', 'BF16', 'F64'] as const) {
      const bytes = serializeSafetensors(params, { dtype, metadata: { model, vocab: JSON.stringify(CHARS.join('')) } });
      const read = readLanguageModel(bytes, { source: `w.${dtype}` });
      expect(read.vocab).toEqual(CHARS);
      expect(read.config).toMatchObject(CONFIG);
      const w = read.params['blocks.1.mlp.fc.weight'].data;
      const bound = { F32: 0, F64: 0, F16: 1e-3, BF16: 8e-3 }[dtype];
      Array.from(params['blocks.1.mlp.fc.weight'].data).forEach((x, i) =>
        expect(Math.abs(w[i] - x), `${dtype} element ${i}`).toBeLessThanOrEqual(bound * Math.abs(x) + 1e-7),
      );
    }
    const moments = Object.fromEntries(
      Object.entries(params).flatMap(([n, t]) => [
        [`opt.m.${n}`, t],
        [`opt.v.${n}`, t],
      ]),
    );
    const train = encodeCheckpoint({ config: CONFIG, step: 7, params, moments, data: { offset: 3 }, metadata: { vocab: JSON.stringify(CHARS) } });
    const read = readLanguageModel(train, { source: 'run.ckpt' });
    expect(read.vocab).toEqual(CHARS);
    expect(Object.keys(read.params).sort()).toEqual(Object.keys(params).sort());
  });

  it('names the first missing, unexpected or mis-shaped tensor, and refuses other layouts and bad vocabularies, in one line each', () => {
    const file = (tensors: Record<string, ReturnType<typeof tensor>>, metadata: Record<string, string> = { model }) =>
      serializeSafetensors(tensors, { metadata });
    const { 'head.bias': _gone, ...missing } = params;
    const fc = tensor(new Array(16 * 16).fill(0), [16, 16], 'float32');
    const cases: [Uint8Array, string | RegExp][] = [
      [file(missing), "w: missing tensor 'head.bias' of shape [10] that the model config needs"],
      [
        file({ ...params, extra: tensor([1], [1]) }),
        "w: unexpected tensor 'extra' (neither a parameter of the model config nor an optimizer moment of a trainable one)",
      ],
      [file({ ...params, 'blocks.0.mlp.fc.weight': fc }), "w: tensor 'blocks.0.mlp.fc.weight' has shape [16,16], but the model config needs [64,16]"],
      [file(params, {}), "w: not a model checkpoint: its __metadata__ has no 'model' (the char GPT's config, MODEL.md), as a layer's weight file has none"],
      [
        file(Object.fromEntries(Object.entries(params).map(([n, t]) => [`param.${n}`, t]))),
        "w: unexpected tensor 'param.blocks.0.attn.k_proj.bias' (neither a parameter of the model config nor an optimizer moment of a trainable one): tensors under param.* are a MODEL.md fixture case, not a checkpoint",
      ],
      [file(params, { model, vocab: '"abc"' }), 'w: __metadata__ vocab has 3 characters, but the model config has vocab 10'],
      [file(params, { model, vocab: JSON.stringify('aabcdefghi') }), 'w: __metadata__ vocab lists "a" (U+0061) twice (ids 0 and 1)'],
      [file(params, { model, vocab: JSON.stringify(['ab', ...CHARS.slice(1)]) }), 'w: __metadata__ vocab [0]: expected one character, got "ab"'],
      [file(params, { model, vocab: '{' }), /^w: __metadata__ vocab is not valid JSON \(Expected property name .* position 1.*\)$/],
      [
        file({ ...params, 'ln_f.weight': tensor([Number.POSITIVE_INFINITY, ...new Array(15).fill(1)], [16], 'float32') }),
        "w: tensor 'ln_f.weight' element 0 is Infinity (a model to decode needs finite weights)",
      ],
    ];
    for (const [bytes, message] of cases) {
      const e = sasError(() => readLanguageModel(bytes, { source: 'w' }));
      expect(e.code).toBe('E_WEIGHTS');
      if (typeof message === 'string') expect(e.message).toBe(message);
      else expect(e.message).toMatch(message);
    }
  });
});
