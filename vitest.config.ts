import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's unit tests mount .vue components (in happy-dom, chosen per file by a docblock).
  plugins: [vue()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: the simulator-backed suites are I/O heavy, two workers keep them honest.
    maxWorkers: 2,
  },
});
