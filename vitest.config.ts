import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run against the TypeScript sources of the workspace packages, not their dist builds.
  resolve: { conditions: ['@fillmask/source'] },
  ssr: { resolve: { conditions: ['@fillmask/source'], externalConditions: ['@fillmask/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'internal/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: more forks only contend for them.
    maxWorkers: 2,
  },
});
