// Lint rules. The important ones guard workflow determinism: workflow code runs in Temporal's
// sandbox and is replayed, so it may import only @temporalio/workflow, other workflow files,
// pure domain modules, and activity *types*.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The approvals console runs in the browser, without a build step.
    files: ['src/api/console/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly', sessionStorage: 'readonly', fetch: 'readonly' },
    },
  },
  {
    files: ['scripts/**/*.js', 'jest.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code must be deterministic: no Node built-ins.' })),
          patterns: [
            {
              group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'],
              message: 'Workflows may import only @temporalio/workflow (and @temporalio/common types).',
            },
            {
              group: ['../activities', '../activities/*'],
              allowTypeImports: true,
              message: 'Workflows may import activity types only (import type).',
            },
            {
              group: ['../src/*', '!../src/domain', '!../src/domain/*'],
              allowTypeImports: true,
              message: 'Workflows may import only pure modules from src/domain.',
            },
            { group: ['express', 'zod', 'pino', 'undici'], message: 'Not in workflow code.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'process', message: 'Workflows cannot read the environment.' },
      ],
    },
  },
);
