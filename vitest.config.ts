import { defineConfig } from 'vitest/config';

// three projects, run in order of cost by scripts/test.mjs
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'smsc-bridge/**/*.test.ts', 'pb_hooks/**/*.test.ts', 'scripts/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // one Chromium at a time on a 2-core machine
          fileParallelism: false,
        },
      },
    ],
  },
});
