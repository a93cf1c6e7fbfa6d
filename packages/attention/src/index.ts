/**
 * @sas/attention — the batteries-included entry: everything in @sas/core, every
 * backend by name (`createBackend('tfjs', { mode: 'wasm' })`), and `runGraph`
 * on the embedded default CPU backend.
 */
export * from '@sas/core';
export { BACKEND_NAMES, checkMode, createBackend, loadProvider } from './registry.js';
export { DEFAULT_BACKEND, disposeDefaultBackend, runGraph } from './run.js';
