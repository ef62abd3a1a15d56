// @ts-check
// The fault suite (`npm run test:faults`, also the last step of `npm test`): real servers of its
// own (Postgres, Kafka, Temporal on their own ports and data dirs, started by its globalSetup),
// killed and stopped while Lapse runs. Never touches the shared stack other suites use.
const { base } = require('./jest.preset');

module.exports = {
  ...base,
  rootDir: __dirname,
  testMatch: ['<rootDir>/tools/faults/**/*.fault-spec.ts'],
  testTimeout: 600_000,
  globalSetup: '<rootDir>/tools/faults/global-setup.js',
  globalTeardown: '<rootDir>/tools/faults/global-teardown.js',
  maxWorkers: 1,
};
