import { readLanguageModelFile } from '@sas/conformance';
import { SasError } from '@sas/core';
import { parseFlags } from '../args.js';
import { checkMode, loadBackendProvider } from '../backends.js';
import type { Command } from '../command.js';
import { DEFAULT_BACKEND } from '../defaults.js';
import { parseNumberFlag } from '../generate/numbers.js';
import { streamGeneration } from '../generate/stream.js';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'load a char GPT checkpoint and stream generated text (cached decoding)',
  usage: `sas generate --checkpoint FILE --prompt TEXT [--max-new N] [--temperature T] [--top-k K]
             [--top-p P] [--seed S] [--stop TEXT] [--backend NAME] [--mode MODE] [--json]

Loads a MODEL.md checkpoint (safetensors F32/F16/BF16/F64 with 'model' and
'vocab' in __metadata__, or a 'sas train' checkpoint of a char task), prefills
the prompt in one pass and decodes one token per step against a key/value
cache, printing characters on stdout as they come, then tokens/s on stderr.

  --max-new N        new characters (default: up to the model's maxSeqLen);
                     prompt + N must fit maxSeqLen
  --temperature T    0 is greedy (argmax); default 1
  --top-k K          sample among the K most likely characters
  --top-p P          sample among the most likely characters holding probability P (0 < P ≤ 1)
  --seed S           integer in [0, 2^32): the same seed gives the same text (default: random, printed)
  --stop TEXT        end before TEXT would be printed
  --backend NAME     default ${DEFAULT_BACKEND}
  --json             one JSON document on stdout instead (text, tokens/s, settings)`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        checkpoint: 'string',
        prompt: 'string',
        'max-new': 'string',
        temperature: 'string',
        'top-k': 'string',
        'top-p': 'string',
        seed: 'string',
        stop: 'string',
        backend: 'string',
        mode: 'string',
        json: 'boolean',
        verbose: 'boolean',
      },
      'generate',
    );
    if (typeof flags.checkpoint !== 'string') throw new SasError('E_INPUT', 'generate: --checkpoint FILE is required');
    if (typeof flags.prompt !== 'string') throw new SasError('E_INPUT', 'generate: --prompt TEXT is required');
    const sampling = {
      maxNewTokens: parseNumberFlag(flags['max-new'], 'max-new'),
      temperature: parseNumberFlag(flags.temperature, 'temperature'),
      topK: parseNumberFlag(flags['top-k'], 'top-k'),
      topP: parseNumberFlag(flags['top-p'], 'top-p'),
      seed: parseNumberFlag(flags.seed, 'seed') ?? Math.floor(Math.random() * 2 ** 32),
      stop: flags.stop as string | undefined,
    };
    const model = readLanguageModelFile(flags.checkpoint);
    const provider = await loadBackendProvider((flags.backend as string | undefined) ?? DEFAULT_BACKEND);
    const mode = checkMode(provider, flags.mode as string | undefined);
    const backend = await provider.create({ mode });
    try {
      const options = Object.fromEntries(Object.entries({ ...sampling, backend }).filter(([, v]) => v !== undefined));
      const run = await streamGeneration(model, flags.prompt, options, (ch) => {
        if (!flags.json) process.stdout.write(ch);
      });
      const dtype = backend.dtypes[0];
      if (flags.json) {
        const report = {
          checkpoint: flags.checkpoint,
          backend: backend.name,
          mode: backend.mode,
          dtype,
          prompt: flags.prompt,
          text: run.text,
          newTokens: run.tokens,
          settings: {
            temperature: sampling.temperature ?? 1,
            topK: sampling.topK ?? null,
            topP: sampling.topP ?? 1,
            seed: sampling.seed,
            stop: sampling.stop ?? null,
          },
          firstTokenMs: run.firstTokenMs,
          seconds: run.seconds,
          tokensPerSecond: run.tokensPerSecond,
          stepTokensPerSecond: run.stepTokensPerSecond,
        };
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        process.stdout.write('\n');
        process.stderr.write(
          `${run.tokens} tokens in ${run.seconds.toFixed(2)} s: ${run.tokensPerSecond.toFixed(1)} tokens/s ` +
            `(first token after ${run.firstTokenMs.toFixed(0)} ms, then ${run.stepTokensPerSecond.toFixed(1)} tokens/s); ` +
            `backend ${backend.name} (${backend.mode}, ${dtype}), seed ${sampling.seed}\n`,
        );
      }
      return 0;
    } finally {
      await backend.dispose();
    }
  },
};
