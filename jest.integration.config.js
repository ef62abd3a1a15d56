// Integration tests (`*.integration-spec.ts`) against real Postgres, Kafka and Temporal,
// provisioned by tools/stack. Suites that share no state run in parallel workers.
const { base } = require('./jest.preset');
module.exports = {
  ...base,
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.integration-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.js',
  maxWorkers: process.env.LAPSE_TEST_WORKERS ? Number(process.env.LAPSE_TEST_WORKERS) : 2,
};
