/**
 * @sas/attention — the batteries-included entry: everything in @sas/core, every
 * backend by name (`createBackend('tfjs', { mode: 'wasm' })`, loaded on first
 * use; only the default, ndarray, is a dependency, the others are optional
 * peers), backends written elsewhere by `registerBackend`, and `runGraph` on
 * the default CPU backend.
 */
export * from '@sas/core';
export { BACKEND_NAMES, backendNames, checkMode, createBackend, loadProvider, registerBackend, type BackendLoader } from './registry.js';
export { isBackendProvider, providerFromModule } from './provider-module.js';
export { DEFAULT_BACKEND, disposeDefaultBackend, runGraph } from './run.js';
