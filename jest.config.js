/** Jest runs TypeScript through ts-jest, transpile-only (tsconfig sets isolatedModules); `npm run typecheck` checks the types. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // Two cores here: two test files at a time share one dev server without starving it.
  maxWorkers: 2,
};
