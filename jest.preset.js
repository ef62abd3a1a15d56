// @ts-check
// Shared Jest settings: SWC transform (decorator metadata for NestJS) and the tsconfig path aliases.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    path.join(root, target),
  ]),
);

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};

const base = {
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/**
 * Unit tests (`*.spec.ts`) of one project, for the project's own jest.config.js (Nx infers `test`).
 * @param {string} projectDir
 * @param {string} displayName
 */
function unit(projectDir, displayName) {
  return { ...base, displayName, rootDir: projectDir, testMatch: ['<rootDir>/**/*.spec.ts'] };
}

module.exports = { base, unit, transform, moduleNameMapper };
