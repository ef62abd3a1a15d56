// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

const workflowBanned = [
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@nestjs/*',
  'typeorm',
  'kafkajs',
  'pg',
  'node:*',
  'fs',
  'http',
  'https',
  'net',
];

/**
 * Tag rules; test code (specs, testing/ helpers) may also use the test harness and platform libs.
 * @param {{ tests: boolean }} scope
 */
function depConstraints({ tests }) {
  const extra = tests ? ['type:testing', 'type:platform'] : [];
  return [
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
    {
      // Bundled into the workflow: held to the workflow's banned imports.
      sourceTag: 'type:domain',
      onlyDependOnLibsWithTags: ['type:contracts', ...extra],
      bannedExternalImports: tests ? [] : workflowBanned,
    },
    {
      sourceTag: 'type:workflow',
      onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', ...extra],
      bannedExternalImports: tests ? [] : workflowBanned,
    },
    { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'] },
    {
      sourceTag: 'type:platform',
      onlyDependOnLibsWithTags: [
        'type:contracts',
        'type:domain',
        'type:util',
        'type:platform',
        'type:workflow',
        ...extra,
      ],
    },
    {
      // The Lapse stack (libs/testing/lapse-stack) builds on the base harness (libs/testing).
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: [
        'type:testing',
        'type:contracts',
        'type:domain',
        'type:util',
        'type:platform',
        'type:workflow',
      ],
    },
    {
      sourceTag: 'type:app',
      onlyDependOnLibsWithTags: [
        'type:contracts',
        'type:domain',
        'type:util',
        'type:platform',
        'type:workflow',
        // Production code never imports the test harness; specs and testing/ helpers may.
        ...extra,
      ],
    },
    { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    { sourceTag: 'scope:grants', onlyDependOnLibsWithTags: ['scope:shared', 'scope:grants'] },
    { sourceTag: 'scope:policy', onlyDependOnLibsWithTags: ['scope:shared', 'scope:policy'] },
    {
      sourceTag: 'scope:access-tracking',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:access-tracking'],
    },
    { sourceTag: 'scope:requests', onlyDependOnLibsWithTags: ['scope:shared', 'scope:requests'] },
    { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared', 'scope:console'] },
    {
      sourceTag: 'scope:notifications',
      onlyDependOnLibsWithTags: ['scope:shared', 'scope:notifications'],
    },
  ];
}

/**
 * The module-boundaries rule for production code or for test code.
 * @param {{ tests: boolean }} scope
 */
function boundaries({ tests }) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: [],
      banTransitiveDependencies: false,
      depConstraints: depConstraints({ tests }),
    },
  ];
}

/** Grant workflow messages and errors: outside libs, only the grant client uses them. */
const grantMessages = [
  'GRANT_TASK_QUEUE',
  'GRANT_WORKFLOW_TYPE',
  'GRANT_ERRORS',
  'accessedSignal',
  'policyChangedSignal',
  'revokeSignal',
  'submitRequestUpdate',
  'reviewUpdate',
  'adminUnlockUpdate',
  'cancelRequestUpdate',
  'endAccessUpdate',
  'stateQuery',
];

/** A lib is used through its entry points (`@lapse/<lib>`, `@lapse/<lib>/<entry>` of tsconfig.base.json), never its files. */
const libEntryPointsOnly = [
  {
    group: ['**/libs/*/src', '**/libs/*/src/**'],
    message: 'import the lib by its @lapse/* entry point, not its files',
  },
  {
    regex: '^@lapse/(?!contracts/workflow$|testing/lapse-stack$|grant-workflow/testing$)[^/]+/.+',
    message: 'only the entry points in tsconfig.base.json paths are public',
  },
];

/**
 * An app's public entry points for bench/ and tools/: `apps/<app>/src` (its index.ts: what
 * benchmarks drive in-process) and `apps/<app>/src/db/data-source` (its schema, for migrations).
 */
const appEntryPointsOnly = [
  {
    regex: '(^|/)apps/[^/]+/src/(?!index$|db/data-source$).+',
    message: 'import an app by its entry point (apps/<app>/src, its index.ts), not its files',
  },
];

/**
 * The no-restricted-imports rule: the grant messages, the lib entry points, and `patterns`.
 * @param {{ regex: string; message: string }[]} patterns
 */
function restrictedImports(patterns) {
  return [
    'error',
    {
      paths: ['@lapse/contracts', '@lapse/contracts/workflow'].map((name) => ({
        name,
        importNames: grantMessages,
        message: 'drive grants through GrantClient (@lapse/grant-client)',
      })),
      patterns: [...libEntryPointsOnly, ...patterns],
    },
  ];
}

const testFiles = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/testing/**/*.ts'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  prettier,
  {
    ignores: ['**/node_modules', '**/dist', '**/.nx', '**/tmp', 'bench/results', 'test-output'],
  },
  {
    // Plain JavaScript scripts and configs: type-checked by tsconfig.scripts.json (checkJs, which
    // also finds undefined names), linted by the recommended rules.
    files: ['**/*.js', '**/*.mjs'],
    rules: { ...js.configs.recommended.rules, 'no-undef': 'off' },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: false }),
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
    },
  },
  {
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries({ tests: true }),
    },
  },
  {
    files: ['tools/**/*.ts', 'bench/**/*.ts', ...testFiles],
    rules: { 'no-console': 'off' },
  },
  {
    // Apps, benchmarks and scripts drive grants through the grant client (@lapse/grant-client),
    // and use libs only through their public entry points (the tsconfig.base.json aliases).
    files: ['apps/**/*.ts'],
    rules: { 'no-restricted-imports': restrictedImports([]) },
  },
  {
    // Benchmarks and scripts also use an app only through its public entry points.
    files: ['bench/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-restricted-imports': restrictedImports(appEntryPointsOnly) },
  },
  {
    // Code that ends up in the workflow bundle takes the contracts without the zod event schemas.
    files: ['libs/grant-workflow/src/**/*.ts', 'libs/domain/src/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@lapse/contracts',
              message:
                'import @lapse/contracts/workflow (the root also brings zod into the workflow bundle)',
            },
            ...['fs', 'http', 'https', 'net'].map((name) => ({
              name,
              message: 'workflow code is deterministic: no I/O',
            })),
          ],
          patterns: [{ group: ['node:*'], message: 'workflow code is deterministic: no I/O' }],
        },
      ],
    },
  },
];
