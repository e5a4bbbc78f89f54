import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

const tsRules = {
  '@typescript-eslint/no-explicit-any': 'error',
  '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
  '@typescript-eslint/no-floating-promises': 'error',
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
};

// The house rules of DESIGN.md as import boundaries.
const noElectron = { name: 'electron', message: "Only main/app/ imports 'electron'." };
const noRenderer = {
  group: ['**/renderer/**', '**/preload/**'],
  message: 'main/ never imports the renderer.',
};
// A relative import that climbs to main/<folder> (no folder under main/engine or main/api has these names).
const inMain = (folders, message) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})(/.*)?$`,
  message,
});
const boundary = (patterns, extraPaths = []) => ({
  'no-restricted-imports': ['error', { paths: extraPaths, patterns }],
});

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'release/**',
      'node_modules/**',
      'test/e2e/artifacts/**',
      'resources/**',
      // AssemblyScript (its own types: i32, usize, v128), compiled by scripts/build-wasm.mjs
      'main/engine/backend/assembly/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.ts', '**/*.svelte'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
      },
    },
    rules: tsRules,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['common/**'],
    rules: boundary(
      [
        {
          group: ['**/main/**', '**/renderer/**', '**/preload/**', 'node:*'],
          message: 'common/ is environment-free.',
        },
      ],
      [noElectron],
    ),
  },
  // Inside main/, arrows point down (DESIGN.md "Processes and folders"): the others call the engine, cli and host call
  // the api. A later block's no-restricted-imports replaces an earlier one's for the same file, so each repeats noRenderer.
  {
    files: ['main/**'],
    ignores: ['main/app/**', 'main/engine/**', 'main/api/**'],
    rules: boundary([noRenderer], [noElectron]),
  },
  {
    files: ['main/app/**'],
    rules: boundary([noRenderer]),
  },
  {
    files: ['main/engine/**'],
    rules: boundary(
      [
        noRenderer,
        inMain(
          ['api', 'jobs', 'worker', 'cli', 'host', 'app'],
          'main/engine/ never imports api, jobs, worker, cli, host or app: they call the engine.',
        ),
      ],
      [noElectron],
    ),
  },
  {
    files: ['main/api/**'],
    rules: boundary(
      [noRenderer, inMain(['cli', 'host'], 'main/api/ never imports the CLI or the host.')],
      [noElectron],
    ),
  },
  {
    files: ['renderer/**'],
    rules: boundary(
      [
        {
          group: ['**/main/**', '**/preload/**', 'node:*'],
          message: 'The renderer talks to main only through the contract.',
        },
      ],
      [noElectron],
    ),
  },
  {
    files: ['preload/**'],
    rules: boundary([
      {
        group: ['**/main/**', '**/renderer/**', 'node:*'],
        message: 'preload/ imports only common/ and electron.',
      },
    ]),
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
