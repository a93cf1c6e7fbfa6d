// Temporary files of atomic writes, removed when the process is interrupted.
//
// Without a handler, SIGINT (Ctrl-C), SIGTERM and SIGHUP kill Node at once,
// even in the middle of a synchronous write, leaving `.name.pid.rand.tmp`
// behind. With one installed, the signal is handled between JavaScript tasks:
// a synchronous write finishes first (whole, or cleaned up on failure), then
// the handler removes whatever temporary file is still registered and, if no
// one else listens for the signal, re-raises it so the process ends exactly
// as it would have (killed by that signal).

import { unlinkSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const pending = new Set<string>();
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  for (const path of pending) removeQuietly(path);
  pending.clear();
  if (process.listenerCount(signal) === 1) {
    // Only ours: behave as if there had been no handler at all.
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    installed = false;
    process.kill(process.pid, signal);
  }
}

/**
 * Registers a temporary file so that an interrupt removes it; installs the
 * signal handlers on first use.
 */
export function trackTempFile(path: string): void {
  if (!installed) {
    for (const s of SIGNALS) process.on(s, onSignal);
    installed = true;
  }
  pending.add(path);
}

/** Removes a temporary file (if it is still there) and forgets it. */
export function discardTempFile(path: string): void {
  removeQuietly(path);
  pending.delete(path);
}

/**
 * Lets a signal that arrived during a synchronous write take effect: its
 * handler runs on the event loop, and Node's signal handles do not keep the
 * loop alive, so a process with nothing else to do would exit 0 and the
 * interrupt would be lost. Two chained immediates keep the loop turning long
 * enough for the signal to be dispatched (one is not: measured on Node 20,
 * the handler then never ran; with two it ran every time).
 */
export function settleSignals(): void {
  if (installed) setImmediate(() => setImmediate(() => {}));
}

/** Forgets a temporary file that has been moved into place. */
export function untrackTempFile(path: string): void {
  pending.delete(path);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // never created, already moved or gone
  }
}
