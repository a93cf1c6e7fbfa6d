import { defineConfig } from 'vitest/config';

// One vitest run over every package. Tests import workspace packages from
// source through the "@sas/source" export condition, so no build is needed to test.
const sourceConditions = { conditions: ['@sas/source'] };

export default defineConfig({
  resolve: sourceConditions,
  ssr: { resolve: { conditions: ['@sas/source'] } },
  test: {
    reporters: ['default', './tools/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'data', include: ['packages/data/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'conformance', include: ['packages/conformance/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'backend-ndarray', include: ['packages/backend-ndarray/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'backend-tfjs', include: ['packages/backend-tfjs/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'backend-gpujs', include: ['packages/backend-gpujs/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'onnx', include: ['packages/onnx/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'attention', include: ['packages/attention/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'fixtures-paper-head', include: ['packages/fixtures-paper-head/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'studies', include: ['packages/studies/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['apps/cli/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'examples', include: ['examples/*/src/**/*.test.ts'] } },
      { extends: true, test: { name: 'tools', include: ['tools/**/*.test.ts'] } },
      { extends: true, test: { name: 'playground', include: ['apps/playground/src/**/*.test.ts'] } },
    ],
  },
});
