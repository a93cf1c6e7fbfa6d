/** The embedded default backend of `demo` and `bench`: the library's own default. */
export { DEFAULT_BACKEND } from '@sas/attention';
