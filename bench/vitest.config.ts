import { defineConfig, mergeConfig } from 'vitest/config';
import { shared } from '../vitest.shared.js';

/** Tests of the benchmark helpers: `npx vitest run --config bench/vitest.config.ts`. */
export default mergeConfig(shared, defineConfig({ test: { name: 'bench', root: import.meta.dirname } }));
