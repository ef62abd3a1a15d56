// @ts-check
// All unit tests: pure logic, no servers.
const { base } = require('./jest.preset');
module.exports = {
  ...base,
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs,tools,bench}/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
