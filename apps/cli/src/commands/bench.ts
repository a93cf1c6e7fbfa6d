import { MAX_RUNS, MAX_WARMUP, parseFlags, parseNonNegativeInt, parsePositiveInt, parseThreads } from '../args.js';
import { checkBenchCapacity } from '../bench/capacity.js';
import { checkMode, loadProvider } from '../backends.js';
import { configFromFlags } from '../bench/config.js';
import { measureLayer } from '../bench/measure.js';
import type { Command } from '../command.js';
import { DEFAULT_BACKEND } from '../defaults.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time one layer configuration on one backend',
  usage: `sas bench [--backend NAME] [--mode MODE] --shape B,T,H,D,H',D' [--kind sas|mha|gqa|mqa]
          [--kernel K] [--kv-heads N] [--bidirectional] [--backward] [--runs N] [--warmup N] [--threads N] [--long] [--json]

Warm-up calls, then N timed calls (default 5) of the layer's forward pass (with
--backward: forward and every gradient). Prints the median and spread, the FLOP
rate (SAS.md's forward estimate, ×3 with --backward) and the peak RSS. With
--backward the forward alone is timed too, alternately in the same process, and
the backward's cost is printed as a multiple of it.
--threads N is passed to backends with a thread setting (ndarray; default: all cores);
--long lets ndarray run fused attention whose (never stored) T×T scores exceed 2^31 elements.
Baselines read the shape as B,T,H,D; --kv-heads defaults to H for mha and 1 for mqa.
Default backend: ${DEFAULT_BACKEND}.`,
  async run(argv) {
    const flags = parseFlags(
      argv,
      {
        backend: 'string',
        mode: 'string',
        shape: 'string',
        kind: 'string',
        kernel: 'string',
        'kv-heads': 'string',
        bidirectional: 'boolean',
        backward: 'boolean',
        runs: 'string',
        warmup: 'string',
        threads: 'string',
        long: 'boolean',
        json: 'boolean',
        verbose: 'boolean',
      },
      'bench',
    );
    const config = configFromFlags(flags);
    const runs = parsePositiveInt(flags.runs, 'runs', 5, MAX_RUNS);
    const warmup = parseNonNegativeInt(flags.warmup, 'warmup', 1, MAX_WARMUP);
    const threads = parseThreads(flags.threads);
    // The cheapest dtype any backend runs: refused here, a backend's own float64 is refused again in measureLayer.
    checkBenchCapacity(config, 'float32', flags.backward === true);
    const provider = await loadProvider((flags.backend as string | undefined) ?? DEFAULT_BACKEND);
    const mode = checkMode(provider, flags.mode as string | undefined);
    // `threads` is an extra create option; providers without a thread setting ignore it.
    const backend = await provider.create({ mode, ...(threads === undefined ? {} : { threads }), ...(flags.long ? { longSequences: true } : {}) } as {
      mode: string;
    });
    try {
      const m = await measureLayer(backend, config, { backward: flags.backward === true, runs, warmup });
      const result = {
        backend: backend.name,
        mode: backend.mode,
        threads: (backend as { threads?: number }).threads,
        dtype: backend.dtypes[0],
        config,
        backward: flags.backward === true,
        ...m,
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        process.stdout.write(
          `${backend.name} (${backend.mode}) ${config.kind} ${flags.shape}${flags.backward ? ' forward+backward' : ' forward'}: ` +
            `median ${m.medianMs.toFixed(1)} ms (min ${m.minMs.toFixed(1)}, max ${m.maxMs.toFixed(1)}, IQR ${m.iqrMs.toFixed(1)}, ${runs} runs), ` +
            `${m.gflopsPerSecond.toFixed(2)} GFLOP/s, peak RSS ${m.peakRssMiB.toFixed(0)} MiB\n`,
        );
        if (m.forward) {
          process.stdout.write(
            `  forward alone, timed alternately: median ${m.forward.medianMs.toFixed(1)} ms; backward ${m.backwardMs!.toFixed(1)} ms = ` +
              `${m.backwardOverForward!.toFixed(2)}× the forward (forward+backward ${m.forwardBackwardOverForward!.toFixed(2)}×)\n`,
          );
        }
      }
      return 0;
    } finally {
      await backend.dispose();
    }
  },
};
