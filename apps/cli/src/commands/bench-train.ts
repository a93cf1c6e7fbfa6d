import { parseFlags, parsePositiveInt } from '../args.js';
import { checkMode, loadProvider } from '../backends.js';
import { measureTraining, trainBenchConfig } from '../bench/train.js';
import type { Command } from '../command.js';
import { DEFAULT_BACKEND } from '../defaults.js';

export const benchTrainCommand: Command = {
  name: 'bench-train',
  summary: "time the char GPT's training step on one backend (tokens/s)",
  usage: `sas bench-train [--backend NAME] [--mode MODE] [--attention sas|mha|gqa|mqa] [--steps N] [--warmup N] [--threads N]
                [--width 128] [--layers 2] [--heads 4] [--seq-len 128] [--batch 16] [--vocab 84]
                [--sim-heads 8] [--sim-head-dim 64] [--kernel 3] [--kv-heads N] [--seed 0] [--json]

Times Trainer.step on MODEL.md's char GPT (forward, backward, global-norm
clipping at 1, AdamW lr 1e-3, weight decay 0.01) on a fixed batch of random
ids: --warmup untimed steps (default 2), then --steps timed ones (default 5).
Prints the median step and tokens/s = batch·seqLen / median step, the CPU
time per step and the peak RSS. The flags and defaults are those of
bench/torch/train_throughput.py, PyTorch's side of the same benchmark
(issue 13's shape: width 128, 2 layers, 4 heads, T 128, batch 16, vocab 84;
SAS H'=8, D'=64, k=3). --threads N is passed to backends with a thread
setting (ndarray; default: all cores). Default backend: ${DEFAULT_BACKEND}.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        backend: 'string',
        mode: 'string',
        attention: 'string',
        steps: 'string',
        warmup: 'string',
        threads: 'string',
        width: 'string',
        layers: 'string',
        heads: 'string',
        'seq-len': 'string',
        batch: 'string',
        vocab: 'string',
        'sim-heads': 'string',
        'sim-head-dim': 'string',
        kernel: 'string',
        'kv-heads': 'string',
        seed: 'string',
        json: 'boolean',
        verbose: 'boolean',
      },
      'bench-train',
    );
    const { config, batch, seqLen } = trainBenchConfig(flags);
    const steps = parsePositiveInt(flags.steps, 'steps', 5);
    const warmup = flags.warmup === '0' ? 0 : parsePositiveInt(flags.warmup, 'warmup', 2);
    const seed = flags.seed === '0' ? 0 : parsePositiveInt(flags.seed, 'seed', 0);
    const provider = await loadProvider((flags.backend as string | undefined) ?? DEFAULT_BACKEND);
    const mode = checkMode(provider, flags.mode as string | undefined);
    const threads = flags.threads === undefined ? undefined : parsePositiveInt(flags.threads, 'threads', 1);
    // `threads` is an extra create option; providers without a thread setting ignore it.
    const backend = await provider.create({ mode, ...(threads === undefined ? {} : { threads }) } as { mode: string });
    try {
      const m = await measureTraining(backend, config, { batch, seqLen, steps, warmup, seed });
      const result = {
        impl: 'sas-js',
        backend: backend.name,
        mode: backend.mode,
        threads: (backend as { threads?: number }).threads,
        dtype: backend.dtypes[0],
        attention: config.attention.kind,
        model: config,
        ...m,
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `${backend.name} (${backend.mode}) ${config.attention.kind} width ${config.width} layers ${config.layers} heads ${config.heads} T ${seqLen} batch ${batch}: ` +
            `median step ${m.medianStepMs.toFixed(1)} ms (min ${m.minStepMs.toFixed(1)}, CPU ${m.cpuMedianStepMs.toFixed(1)}), ${m.tokensPerSecond.toFixed(0)} tokens/s ` +
            `(${steps} timed steps after ${warmup} warmup; params ${m.params}; peak RSS ${m.peakRssMiB.toFixed(0)} MiB)\n`,
        );
      return 0;
    } finally {
      await backend.dispose();
    }
  },
};
