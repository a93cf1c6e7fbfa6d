// Small helpers for run.mjs: running commands, failing in one line, sizes.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A check that did not hold: run.mjs prints its message as one line and exits 1. */
export class CheckFailure extends Error {}

/** Throws a CheckFailure with `message` unless `condition` holds. */
export function check(condition, message) {
  if (!condition) throw new CheckFailure(typeof message === 'function' ? message() : message);
}

/**
 * Runs `command args` in `cwd` and returns its exit code and output; throws a
 * CheckFailure naming the command (with the tail of its output) when it exits
 * non-zero, unless `allowFailure`.
 */
export function run(command, args, { cwd, timeoutSeconds = 600, allowFailure = false, env = process.env } = {}) {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutSeconds * 1000, maxBuffer: 256 * 2 ** 20 });
  const result = { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: r.error?.code === 'ETIMEDOUT' };
  if (r.error && !result.timedOut) throw new CheckFailure(`${command} ${args.join(' ')}: ${r.error.message}`);
  if (!allowFailure && (result.code !== 0 || result.timedOut)) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new CheckFailure(`${command} ${args.join(' ')} (in ${cwd}) ${result.timedOut ? `ran past ${timeoutSeconds} s` : `exited ${result.code}`}:\n${tail}`);
  }
  return result;
}

/** Bytes on disk under `dir` (allocated blocks, as `du` counts them) and the sum of file sizes, links not followed. */
export function diskUsage(dir) {
  let blocks = 0;
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isSymbolicLink()) continue;
      const s = statSync(path);
      blocks += s.blocks * 512;
      if (entry.isDirectory()) walk(path);
      else {
        bytes += s.size;
        files++;
      }
    }
  };
  walk(dir);
  return { onDisk: blocks, bytes, files };
}

/** `n` bytes in MB (10⁶, as npm reports sizes), one decimal. */
export const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
