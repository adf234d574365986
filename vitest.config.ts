import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of the workspace packages, not their dist builds.
const sourceResolution = {
  resolve: { conditions: ['@fillmask/source'] },
  ssr: { resolve: { conditions: ['@fillmask/source'], externalConditions: ['@fillmask/source'] } },
};

export default defineConfig({
  ...sourceResolution,
  test: {
    include: ['packages/*/src/**/*.test.ts', 'internal/*/src/**/*.test.ts', 'benchmarks/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: more forks only contend for them.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'node', globalSetup: ['tests/isolated-cache.global-setup.ts'] } },
      // Headless Chromium driving the built example and harness pages: `npm run test:browser` runs these alone.
      {
        ...sourceResolution,
        test: {
          name: 'browser',
          include: ['packages/backend-web/browser-tests/**/*.test.ts'],
          globalSetup: ['tests/isolated-cache.global-setup.ts', 'packages/backend-web/browser-tests/build-pages.global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
