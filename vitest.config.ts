import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Stryker's sandboxes are full copies of the project (tests included).
    exclude: [...configDefaults.exclude, '.stryker-tmp*/**'],
    // TF.js keeps one global engine per process; forks isolate backends between files.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/closingLineReporter.ts'],
  },
});
