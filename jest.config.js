/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }],
  },
  // Type errors are caught by `npm run typecheck`; swc only strips types so the suite stays fast.
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 60000,
  // Jest's default (cores - 1) leaves one worker on a two-core CI machine; the suite is mostly
  // simulation that waits on nothing, so every core is worth a worker.
  maxWorkers: '100%',
  globalSetup: '<rootDir>/test/support/lambda-bundles.setup.ts',
};
