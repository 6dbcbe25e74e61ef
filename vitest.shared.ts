import { defineConfig } from 'vitest/config';

/** Settings shared by the root run and every package's own `vitest.config.ts`. */
export const shared = defineConfig({
  resolve: { conditions: ['@lvr/source'] },
  ssr: { resolve: { conditions: ['@lvr/source'] } },
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
