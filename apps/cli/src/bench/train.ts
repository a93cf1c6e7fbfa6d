import { buildModel, frozenParams, initModel, SasError, seededRandom, Trainer, type Backend, type ModelConfig, type Tensor } from '@sas/core';
import { parsePositiveInt, type Flags } from '../args.js';

/**
 * The training benchmark's model: MODEL.md's char GPT at issue 13's shape
 * (vocab 84, width 128, 2 layers, 4 heads, T = 128, batch 16; SAS H' = 8,
 * D' = 64, k = 3), each number overridable with the flags of PyTorch's
 * `bench/torch/train_throughput.py` (same names, same defaults), so the two
 * sides time the same model.
 *
 * @example
 * ```ts
 * trainBenchConfig({ attention: 'mha' }).config.attention; // { kind: 'mha' }
 * ```
 */
export function trainBenchConfig(flags: Flags): { config: ModelConfig; batch: number; seqLen: number } {
  const kind = (flags.attention as string | undefined) ?? 'sas';
  if (kind !== 'sas' && kind !== 'mha' && kind !== 'gqa' && kind !== 'mqa')
    throw new SasError('E_INPUT', `--attention: expected sas, mha, gqa or mqa, got '${kind}'`);
  const heads = parsePositiveInt(flags.heads, 'heads', 4);
  const seqLen = parsePositiveInt(flags['seq-len'], 'seq-len', 128);
  if (kind === 'sas' && flags['kv-heads'] !== undefined) throw new SasError('E_INPUT', '--kv-heads applies to mha, gqa and mqa only');
  const attention: ModelConfig['attention'] =
    kind === 'sas'
      ? {
          kind,
          simHeads: parsePositiveInt(flags['sim-heads'], 'sim-heads', 8),
          simHeadDim: parsePositiveInt(flags['sim-head-dim'], 'sim-head-dim', 64),
          kernelSize: parsePositiveInt(flags.kernel, 'kernel', 3),
        }
      : flags['kv-heads'] !== undefined || kind === 'gqa'
        ? { kind, kvHeads: parsePositiveInt(flags['kv-heads'], 'kv-heads', Math.max(1, Math.floor(heads / 2))) }
        : { kind };
  const config: ModelConfig = {
    vocab: parsePositiveInt(flags.vocab, 'vocab', 84),
    width: parsePositiveInt(flags.width, 'width', 128),
    layers: parsePositiveInt(flags.layers, 'layers', 2),
    heads,
    maxSeqLen: seqLen,
    attention,
  };
  return { config, batch: parsePositiveInt(flags.batch, 'batch', 16), seqLen };
}

/** Timing of the training step on one backend. */
export interface TrainingMeasurement {
  readonly params: number;
  readonly batch: number;
  readonly seqLen: number;
  readonly warmup: number;
  readonly steps: number;
  readonly medianStepMs: number;
  readonly meanStepMs: number;
  readonly minStepMs: number;
  /** batch · seqLen / the median step. */
  readonly tokensPerSecond: number;
  /** This process's CPU time (all threads) per step, median: steadier than wall time on a shared machine. */
  readonly cpuMedianStepMs: number;
  readonly finalLoss: number;
  readonly peakRssMiB: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Seeded integer ids in [0, vocab) as a [batch, seqLen] tensor of `dtype`. */
function randomIds(batch: number, seqLen: number, vocab: number, rand: () => number, dtype: Backend['dtypes'][number]): Tensor {
  const n = batch * seqLen;
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(rand() * vocab);
  return { dtype, shape: [batch, seqLen], data };
}

/**
 * Times `Trainer.step` (forward, backward, global-norm clipping at 1, AdamW
 * with lr 1e-3 and weight decay 0.01: PyTorch's benchmark step) on a fixed
 * random batch: `warmup` untimed steps, then `steps` timed ones.
 *
 * @example
 * ```ts
 * const { config, batch, seqLen } = trainBenchConfig({});
 * const m = await measureTraining(backend, config, { batch, seqLen, steps: 5, warmup: 2 });
 * console.log(m.tokensPerSecond);
 * ```
 */
export async function measureTraining(
  backend: Backend,
  config: ModelConfig,
  options: { batch: number; seqLen: number; steps: number; warmup: number; seed?: number },
): Promise<TrainingMeasurement> {
  const dtype = backend.dtypes[0];
  const { batch, seqLen, steps, warmup } = options;
  const seed = options.seed ?? 0;
  const graph = buildModel(config, { batch, seqLen, dtype });
  const params = initModel(config, seed, { dtype });
  const trainer = new Trainer(backend, graph, 'loss', params, { kind: 'adamw', lr: 1e-3, weightDecay: 0.01, clipNorm: 1 }, { frozen: frozenParams(config) });
  const rand = seededRandom(seed + 1);
  const inputs = { ids: randomIds(batch, seqLen, config.vocab, rand, dtype), targets: randomIds(batch, seqLen, config.vocab, rand, dtype) };
  for (let i = 0; i < warmup; i++) await trainer.step(inputs);
  const wall: number[] = [];
  const cpu: number[] = [];
  let loss = Number.NaN;
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    loss = await trainer.step(inputs);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const medianStepMs = median(wall);
  return {
    params: Object.values(params).reduce((n, t) => n + t.data.length, 0),
    batch,
    seqLen,
    warmup,
    steps,
    medianStepMs,
    meanStepMs: wall.reduce((a, b) => a + b, 0) / wall.length,
    minStepMs: Math.min(...wall),
    tokensPerSecond: (batch * seqLen * 1000) / medianStepMs,
    cpuMedianStepMs: median(cpu),
    finalLoss: loss,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
