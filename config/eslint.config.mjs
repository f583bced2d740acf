// ESLint flat config (kept in config/ so the top level stays as the brief lists).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'fixtures/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-function-type': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // Relative imports across features hide the architecture: use the @/ alias.
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*'], message: 'Utiliser l’alias @/…' }] }],
    },
  },
  {
    files: ['src/web/assets/**/*.js', 'src/web/assets/**/*.mjs'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', console: 'readonly', FormData: 'readonly', URLSearchParams: 'readonly', location: 'readonly', history: 'readonly', Intl: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', HTMLElement: 'readonly', Event: 'readonly', alert: 'readonly', confirm: 'readonly', Node: 'readonly', CustomEvent: 'readonly', btoa: 'readonly' } },
  },
);
