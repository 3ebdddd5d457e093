import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The kind path alone (scripts/kind-e2e.sh runs it with this config). Its test files end in .e2e.ts, which no
// project of the root vitest.config.ts collects, so `npm test` neither runs nor skips them. The timeouts allow
// for real kubelets and a port-forward on a shared CI runner.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['e2e/kind/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
