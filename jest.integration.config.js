// @ts-check
// Integration tests (`*.integration-spec.ts`) against real Postgres, Kafka and Temporal,
// provisioned by tools/stack. Suites share no state (own database, consumer groups, task-queue
// prefix), so they run in parallel workers — except the few listed in SERIAL, which measure
// the server under sustained load and run alone afterwards (`LAPSE_INTEGRATION_SET=serial`),
// so a busy neighbour cannot starve them.
const { base } = require('./jest.preset');

const SERIAL = [
  '<rootDir>/libs/grant-workflow/src/history.integration-spec.ts',
  // Bounds lock lateness (deadline → LOCKED within 2 s of workflow time), which includes real
  // processing time after a time skip: a busy neighbour suite can push it past the bound.
  '<rootDir>/libs/grant-workflow/src/grant-workflow.integration-spec.ts',
  // Offboards a user with 50 grants and waits for every revocation through the real sync, workflows
  // and projection: its bound is met alone, not beside two suites starting their own stacks.
  '<rootDir>/apps/policy/src/user-lifecycle.integration-spec.ts',
  // Keeps a grant in use across a 3 s auto-lock through the real ingestion path: a starved
  // neighbour can delay its usage events past the deadline.
  '<rootDir>/apps/access-tracking/src/grants/workflow-lock.integration-spec.ts',
  // Dead-letters events for unknown grants, which access-tracking does only while its grant
  // projection is current: neighbour suites publishing grant state keep it catching up (by
  // design such events are then recorded, not refused), so this suite runs without them.
  '<rootDir>/apps/access-tracking/src/usage/ingestion.integration-spec.ts',
];
const set = process.env.LAPSE_INTEGRATION_SET ?? 'all';

module.exports = {
  ...base,
  rootDir: __dirname,
  testMatch:
    set === 'serial' ? SERIAL : ['<rootDir>/{apps,libs,tools,bench}/**/*.integration-spec.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    ...(set === 'parallel' ? SERIAL.map((p) => p.replace(/\./g, '\\.')) : []),
  ],
  testTimeout: 120_000,
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.js',
  maxWorkers:
    set === 'serial'
      ? 1
      : process.env.LAPSE_TEST_WORKERS
        ? Number(process.env.LAPSE_TEST_WORKERS)
        : 2,
};
