/** The tfjs modes every Node test runs on. */
export const NODE_TEST_MODES = ['cpu', 'wasm'] as const;
