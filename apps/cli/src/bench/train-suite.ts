import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One contender of the training benchmark: a library backend (run as `sas bench-train`) or PyTorch. */
export interface TrainContender {
  readonly label: string;
  readonly backend: string;
  readonly mode?: string;
  /** ndarray's --threads, PyTorch's torch.set_num_threads (default: all cores). */
  readonly threads?: number;
}

/** Backends compared by `sas bench-suite --train`, labelled as in docs/performance.md. */
export const TRAIN_CONTENDERS: readonly TrainContender[] = [
  { label: 'ndarray', backend: 'ndarray' },
  { label: 'ndarray-1t', backend: 'ndarray', threads: 1 },
  { label: 'tfjs-wasm', backend: 'tfjs', mode: 'wasm' },
  { label: 'onnx', backend: 'onnx' },
  { label: 'pytorch', backend: 'pytorch' },
  { label: 'pytorch-1t', backend: 'pytorch', threads: 1 },
];

/** One training case: a contender on one attention kind. */
export interface TrainCase extends TrainContender {
  readonly attention: 'sas' | 'mha';
  readonly steps: number;
  readonly warmup: number;
  /** Model flags passed to both sides alike (`--width 64 …`; none: issue 13's shape, both sides' defaults). */
  readonly modelArgs?: readonly string[];
}

/** The model flags `sas bench-train` and `train_throughput.py` share (same names, same defaults). */
export const TRAIN_MODEL_FLAGS = ['width', 'layers', 'heads', 'seq-len', 'batch', 'vocab', 'sim-heads', 'sim-head-dim', 'kernel'] as const;

/** A case's outcome: its JSON result (`sas bench-train --json` or `train_throughput.py --json`), or why there is none. */
export type TrainResult = TrainCase & ({ readonly ok: true; readonly result: Record<string, unknown> } | { readonly ok: false; readonly error: string });

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** Where PyTorch's side lives: bench/torch/train_throughput.py at the repository root. */
export const TORCH_SCRIPT = fileURLToPath(new URL('../../../../bench/torch/train_throughput.py', import.meta.url));

/** The Python with Debian's python3-torch (a version manager's `python3` on PATH may lack it). */
export const TORCH_PYTHON = '/usr/bin/python3';

function runJson(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  c: TrainCase,
  explain: (stderr: string, code: number | null) => string,
): Promise<TrainResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => resolve({ ...c, ok: false, error: e.message }));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ ...c, ok: false, error: `timed out after ${timeoutMs / 1000} s` });
      else if (code !== 0) resolve({ ...c, ok: false, error: explain(stderr, code) });
      else {
        try {
          resolve({ ...c, ok: true, result: JSON.parse(stdout) });
        } catch {
          resolve({ ...c, ok: false, error: `no JSON on stdout: ${stdout.trim().split('\n')[0] ?? ''}` });
        }
      }
    });
  });
}

/**
 * Runs one training case in its own process (so peak RSS is its own): a
 * library backend as `sas bench-train --json`, PyTorch as
 * `train_throughput.py --json` with the same model flags. A missing Python,
 * script or torch module is a skipped row with the reason, not a failure.
 *
 * @example
 * ```ts
 * const r = await runTrainCase({ label: 'ndarray', backend: 'ndarray', attention: 'sas', steps: 5, warmup: 2 }, 600_000);
 * ```
 */
export function runTrainCase(c: TrainCase, timeoutMs: number, options: { torchScript?: string; python?: string } = {}): Promise<TrainResult> {
  const common = ['--json', '--attention', c.attention, '--steps', String(c.steps), '--warmup', String(c.warmup), ...(c.modelArgs ?? [])];
  if (c.threads !== undefined) common.push('--threads', String(c.threads));
  if (c.backend !== 'pytorch') {
    const args = [MAIN, 'bench-train', '--backend', c.backend, ...common];
    if (c.mode) args.push('--mode', c.mode);
    return runJson(process.execPath, args, timeoutMs, c, (stderr, code) => stderr.trim().split('\n')[0] || `exit ${code}`);
  }
  const python = options.python ?? TORCH_PYTHON;
  const script = options.torchScript ?? TORCH_SCRIPT;
  if (!existsSync(python)) return Promise.resolve({ ...c, ok: false, error: `skipped: ${python} not found (Debian's python3 with python3-torch)` });
  if (!existsSync(script)) return Promise.resolve({ ...c, ok: false, error: `skipped: ${script} not found (PyTorch's side of the benchmark)` });
  return runJson(python, [script, ...common], timeoutMs, c, (stderr, code) =>
    /No module named '?torch/.test(stderr)
      ? 'skipped: python3-torch is not installed (apt-get install python3-torch libopenblas0-pthread)'
      : stderr.trim().split('\n').at(-1) || `exit ${code}`,
  );
}

const num = (r: TrainResult, key: string) => (r.ok && typeof r.result[key] === 'number' ? (r.result[key] as number) : undefined);

/**
 * One contender's rounds combined: the round with the median tokens/s (the
 * lower middle one for an even count), with every round's tokens/s added
 * (`tokensPerSecondByRound`); the first failure when no round ran.
 *
 * @example
 * ```ts
 * combineRounds([resultOfRound1, resultOfRound2, resultOfRound3]).result.tokensPerSecondByRound; // [4100, 3900, 4300]
 * ```
 */
export function combineRounds(rounds: readonly TrainResult[]): TrainResult {
  const ok = rounds.filter((r): r is TrainResult & { ok: true } => r.ok);
  if (ok.length === 0) return rounds[0];
  const byRound = ok.map((r) => num(r, 'tokensPerSecond') ?? 0);
  const middle = [...ok].sort((a, b) => (num(a, 'tokensPerSecond') ?? 0) - (num(b, 'tokensPerSecond') ?? 0))[(ok.length - 1) >> 1];
  return { ...middle, result: { ...middle.result, tokensPerSecondByRound: byRound } };
}

/**
 * The training table: per attention kind, each contender's median step,
 * tokens/s and its ratio to PyTorch's (the `pytorch` row, all cores), CPU
 * time per step and peak RSS.
 *
 * @example
 * ```ts
 * console.log(trainTable(results));
 * ```
 */
export function trainTable(results: readonly TrainResult[]): string {
  const lines = [
    `${'case'.padEnd(14)}${'backend'.padEnd(14)}${'step ms'.padStart(10)}${'tokens/s'.padStart(10)}${'vs pytorch'.padStart(12)}${'CPU ms'.padStart(9)}${'peak RSS'.padStart(10)}`,
  ];
  for (const r of results) {
    const name = `${r.attention} train`;
    if (!r.ok) {
      lines.push(`${name.padEnd(14)}${r.label.padEnd(14)}  ${r.error}`);
      continue;
    }
    const torch = results.find((b) => b.label === 'pytorch' && b.attention === r.attention);
    const tokens = num(r, 'tokensPerSecond')!;
    const base = torch ? num(torch, 'tokensPerSecond') : undefined;
    const cpu = num(r, 'cpuMedianStepMs');
    const rss = num(r, 'peakRssMiB');
    lines.push(
      `${name.padEnd(14)}${r.label.padEnd(14)}${num(r, 'medianStepMs')!.toFixed(0).padStart(10)}${tokens.toFixed(0).padStart(10)}${(base ? `${(tokens / base).toFixed(2)}×` : '–').padStart(12)}` +
        `${(cpu === undefined ? '–' : cpu.toFixed(0)).padStart(9)}${(rss === undefined ? '–' : `${rss.toFixed(0)} MiB`).padStart(10)}`,
    );
  }
  return lines.join('\n');
}
