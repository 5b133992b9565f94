// Lint rules for the TypeScript code base: typescript-eslint's type-checked recommendations, with
// formatting left to Prettier (`npm run format`). Run by `npm test` through `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'appPackage/build/**', 'data/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Interfaces we implement (stores, senders, clocks) are async even where one implementation
      // answers synchronously (SQLite); requiring an `await` in each would only add noise.
      '@typescript-eslint/require-await': 'off',
      // `_name` marks a parameter an interface demands but this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  prettier,
);
