// The CLI resolves backends through the library's own registry.
export { BACKEND_NAMES, checkMode, loadProvider } from '@sas/attention';
