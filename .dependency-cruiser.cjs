// The house's boundaries, checked on every `npm run check` (docs/architecture.md names them).
// Each rule is a drawing of the architecture that the code must keep: `shared/` is pure, the
// renderer sees only `shared/`, Electron stays in its shell, and main's folders never import
// each other in a loop. `.vue` files are parsed (through @vue/compiler-sfc) like any module.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'shared/ is read by main and the renderer alike: it imports nothing of ours outside shared/.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(main|renderer|bench|bin|build|test)/' },
    },
    {
      name: 'shared-no-node',
      comment: 'shared/ runs in the renderer too: no node:* or other Node built-in modules.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-no-platform-packages',
      comment: 'shared/ holds no Electron, DOM framework or database code.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '(^|/)node_modules/(electron|vue|vue-router|pinia|better-sqlite3|drizzle-orm|undici)/' },
    },
    {
      name: 'renderer-sees-only-shared',
      comment: 'The renderer talks to main through the contract alone: of our code it imports shared/ only.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^(main|bench|bin|build|test)/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'The renderer runs in a sandboxed page: no Node built-in modules.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-only-in-shell',
      comment: 'Everything but the thin shell runs under plain Node; only main/electron/ imports electron.',
      severity: 'error',
      from: { pathNot: '^main/electron/' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'no-folder-loops',
      comment: 'Two folders of main/ (or main and the bench) that import each other are one room drawn as two: move the shared piece down a floor.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^(main|bench)' },
      to: { circular: true },
    },
    {
      name: 'no-module-loops',
      comment: 'Files that import each other are one module cut in two.',
      severity: 'error',
      from: { path: '^(main|shared|renderer)/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests are left out: they may reach into any layer (and the shell's tests stand electron in).
    exclude: { path: '^(node_modules|dist|dist-electron|bench-data|drizzle|test)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The renderer's .vue files are parsed by @vue/compiler-sfc; `.js` specifiers resolve to `.ts`.
    enhancedResolveOptions: {
      extensions: ['.ts', '.vue', '.mjs', '.cjs', '.js', '.d.ts'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: false,
  },
};
