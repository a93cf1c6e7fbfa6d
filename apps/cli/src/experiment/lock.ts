import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@sas/conformance';
import { SasError } from '@sas/core';

/** The lock file of an out dir: the experiment's pid and its runs' pids. */
export const LOCK_FILE = '.experiment.lock';

/** True when a process with this pid exists (ours or not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A held out-dir lock. */
export interface OutDirLock {
  /** Records the pids of the runs training now (a later experiment refuses the dir while any lives). */
  children(pids: readonly number[]): void;
  release(): void;
}

/**
 * Takes an out dir for one experiment: two experiments (or an experiment and
 * a run left behind by a killed one) training the same checkpoints would
 * corrupt each other's logs. A lock whose processes are all gone is stale
 * and taken over.
 *
 * @example
 * ```ts
 * const lock = lockOutDir('results/mqar');
 * try { lock.children([child.pid]); … } finally { lock.release(); }
 * ```
 */
export function lockOutDir(dir: string): OutDirLock {
  const path = join(dir, LOCK_FILE);
  if (existsSync(path)) {
    let pids: number[] = [];
    try {
      const held = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; children: number[] };
      pids = [held.pid, ...held.children].filter((p) => Number.isInteger(p) && p !== process.pid);
    } catch {
      // unreadable: a lock cut short, so nobody holds it
    }
    const living = pids.find(alive);
    if (living !== undefined)
      throw new SasError(
        'E_IO',
        `${dir}: in use by process ${living} (an experiment or one of its runs); wait for it or stop it (if that process is not one of ours, delete ${path})`,
      );
  }
  const write = (children: readonly number[]) => writeFileAtomic(path, JSON.stringify({ pid: process.pid, children }), { force: true });
  write([]);
  return {
    children: write,
    release() {
      rmSync(path, { force: true });
    },
  };
}
