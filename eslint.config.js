// Lint rules for the whole tree: typescript-eslint's recommended set and eslint-plugin-vue's
// essential set (layout is prettier's job, so no stylistic rules here), plus the one house
// boundary an import graph cannot see: `shared/` touches no DOM global.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

/** The service and transport layers: no SQL text here (docs/architecture.md, "Boundaries"). */
const SERVICE_AND_TRANSPORT = ['main/{app,ipc,web,electron,cli}/**/*.ts'];
const NO_SQL = 'No SQL in the service and transport layers: call (or add) a data function in main/db/ that takes the handle first and returns plain objects.';
/** SQL as it is written here: a statement's opening words, or a clause a statement is built from. */
const SQL_TEXT =
  '/\\b(SELECT\\s[\\s\\S]*\\bFROM|INSERT\\s+(OR\\s+[A-Z]+\\s+)?INTO|REPLACE\\s+INTO|DELETE\\s+FROM|UPDATE\\s+\\S+\\s+SET|(CREATE|DROP)\\s+(TABLE|INDEX|TRIGGER|VIEW)|PRAGMA\\s|ORDER\\s+BY|GROUP\\s+BY|COLLATE\\s+NOCASE|json_each\\(|json_extract\\()/';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist-electron/', 'bench-data/', 'drizzle/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_`-prefixed names are deliberately unused (a parameter kept for a signature).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Control characters in patterns are the point where they appear: input and export sanitising.
      'no-control-regex': 'off',
      // One known case (shared/url-grammar.ts `group`) is left for after the dialects change lands there.
      'prefer-const': 'warn',
    },
  },
  {
    // Tests read untyped JSON replies and stand in for modules; `any` there is deliberate.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-globals': [
        'error',
        ...[
          'window',
          'document',
          'navigator',
          'localStorage',
          'sessionStorage',
          'location',
          'HTMLElement',
          'Element',
          'Node',
          'Event',
          'CustomEvent',
          'EventTarget',
          'Blob',
          'File',
          'FileReader',
          'XMLHttpRequest',
          'process',
          'Buffer',
          'require',
          '__dirname',
          '__filename',
        ].map((name) => ({ name, message: 'shared/ is pure: no DOM and no Node globals (it runs in main and the renderer alike).' })),
      ],
    },
  },
  {
    // The service and transport layers compose data functions (main/db/, and the outbox's, report
    // and sync modules that own their tables); they hold no SQL text and make no query calls.
    files: SERVICE_AND_TRANSPORT,
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          ['Literal', 'value'],
          ['TemplateElement', 'value.raw'],
        ].map(([node, text]) => ({ selector: `${node}[${text}=${SQL_TEXT}]`, message: NO_SQL })),
        { selector: "TaggedTemplateExpression[tag.name='sql']", message: NO_SQL },
        { selector: 'CallExpression[callee.property.name=/^(prepare|pragma)$/]', message: NO_SQL },
        { selector: "CallExpression[callee.property.name=/^(select|selectDistinct|insert|update|delete)$/][callee.object.name='db']", message: NO_SQL },
        { selector: "CallExpression[callee.property.name=/^(select|selectDistinct|insert|update|delete)$/][callee.object.property.name='db']", message: NO_SQL },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['drizzle-orm', 'better-sqlite3'].map((name) => ({ name, allowTypeImports: true, message: NO_SQL })),
          patterns: [{ group: ['drizzle-orm/*'], allowTypeImports: true, message: NO_SQL }],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
