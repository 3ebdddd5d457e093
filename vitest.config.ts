import { defineConfig } from 'vitest/config';

// Tiers (DESIGN section 9): `unit` runs colocated tests on fixtures; `e2e` starts real processes, sockets,
// Prometheus, Chromium and helm, so it runs one file at a time on this two-core machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{protocol,agent,dashboard}/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        // The ui's pure modules (formatting, series, list logic); the ui as a whole is tested in Chromium (e2e).
        test: {
          name: 'ui',
          include: ['ui/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
