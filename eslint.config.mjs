// Lint rules. The important ones guard workflow determinism: workflow code runs in Temporal's
// sandbox and is replayed, so it may import only @temporalio/workflow, other workflow files,
// pure domain modules, and activity *types*.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'coverage/', 'test-results/', 'test/support/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No import cycles, and providers never reach up: a provider module imports the domain and its
    // own folder, never the activities or the service's configuration (which import the providers).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      // Parse the imported files as TypeScript too, or the rule cannot follow them.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/activities', '**/activities/*'], message: 'Providers must not import the activities: the activities import the providers.' },
            { group: ['**/config', '**/src/config'], message: 'Providers must not import src/config.ts: it reads each provider module, not the other way round.' },
            { group: ['**/api/*', '**/bin/*', '**/temporal/*', '**/workflows/*', '**/simulators/*', '**/registry'], message: 'Providers import only src/domain and their own folder (src/registry.ts pairs a provider with its simulator).' },
          ],
        },
      ],
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
