/** The embedded default backend of `demo` and `bench`. */
export const DEFAULT_BACKEND = 'reference';
