import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One benchmark to run in its own process (so peak RSS is its own). */
export interface SuiteCase {
  readonly label: string;
  readonly backend: string;
  readonly mode?: string;
  /** Passed as `--threads` (backends with a thread setting, e.g. ndarray). */
  readonly threads?: number;
  /** Untimed calls before the timed ones (the bench command's default, 1, when absent). */
  readonly warmup?: number;
  readonly kind: 'sas' | 'mha';
  readonly shape: string;
  readonly backward: boolean;
  readonly runs: number;
}

/** A suite case's outcome: the `bench --json` result, or why there is none. */
export type SuiteResult = SuiteCase & ({ readonly ok: true; readonly result: Record<string, unknown> } | { readonly ok: false; readonly error: string });

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** The paper-head shape of SAS.md at sequence length `t` (MHA reads the first four numbers). */
export function paperHeadShape(kind: 'sas' | 'mha', t: number): string {
  return kind === 'sas' ? `1,${t},12,64,24,128` : `1,${t},12,64`;
}

/**
 * Runs one case as `sas bench --json` in a child process with a time limit.
 *
 * @example
 * ```ts
 * const r = await runSuiteCase({ label: 'ndarray', backend: 'ndarray', kind: 'sas', shape: paperHeadShape('sas', 512), backward: false, runs: 5 }, 300_000);
 * ```
 */
export function runSuiteCase(c: SuiteCase, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<SuiteResult> {
  const args = [MAIN, 'bench', '--json', '--backend', c.backend, '--kind', c.kind, '--shape', c.shape, '--runs', String(c.runs)];
  if (c.mode) args.push('--mode', c.mode);
  if (c.threads !== undefined) args.push('--threads', String(c.threads));
  if (c.warmup !== undefined) args.push('--warmup', String(c.warmup));
  if (c.backward) args.push('--backward');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ ...c, ok: false, error: `timed out after ${timeoutMs / 1000} s` });
      else if (code !== 0) resolve({ ...c, ok: false, error: stderr.trim().split('\n')[0] || `exit ${code}` });
      else resolve({ ...c, ok: true, result: JSON.parse(stdout) });
    });
  });
}
