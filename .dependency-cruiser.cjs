// The house's import rules, written once and checked by `npm run lint` (docs/architecture.md explains
// the rooms). Imports run downhill: renderer → contract → engine, and app / cli / services / helper on
// top of the engine; nothing may close a circle. The tests in test/unit/house/ prove each rule fails.
// CommonJS because package.json says "type": "module" and dependency-cruiser loads its config by require.
const path = require('node:path');

/** The rooms the engine sits under: it runs under plain Node and takes everything else as arguments. */
const ABOVE_ENGINE = '^main/(services|app|cli|contract|helper|browser-host)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle means two files are one concern; move the shared part (often a type) into a file both import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import must resolve, or the other rules would be checking nothing (it also catches a broken .js → .ts mapping).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'engine-stays-down',
      comment: 'The engine imports nothing above it: it runs under plain Node for the CLI and the tests.',
      severity: 'error',
      from: { path: '^main/engine/' },
      to: { path: ABOVE_ENGINE },
    },
    {
      name: 'contract-only-itself-zod-engine',
      comment: 'The renderer reads the contract, so it depends on nothing but itself, zod and engine types.',
      severity: 'error',
      from: { path: '^main/contract/' },
      to: { pathNot: ['^main/contract/', '^main/engine/', '^node_modules/zod/'] },
    },
    {
      name: 'contract-engine-types-only',
      comment:
        'From the engine the contract takes types; the values are the list of auth methods the profile ' +
        'schema enumerates (engine/config.ts) and the address parser and route limit it shares with the ' +
        'helper (engine/addresses.ts), both of which import nothing themselves.',
      severity: 'error',
      from: { path: '^main/contract/' },
      to: {
        path: '^main/engine/',
        pathNot: '^main/engine/(config|addresses)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'renderer-only-contract',
      comment: 'The renderer is sandboxed: its own files, the contract, and its npm dependencies (svelte, uplot).',
      severity: 'error',
      from: { path: '^renderer/src/' },
      to: { pathNot: ['^renderer/src/', '^main/contract/', '^node_modules/(svelte|uplot)/'] },
    },
    {
      name: 'renderer-no-node',
      comment: 'No node: modules in the renderer: it runs in a sandboxed page (Electron or a browser).',
      severity: 'error',
      from: { path: '^renderer/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-contract-types-only',
      comment: 'The renderer imports the contract with `import type`: zod and the validators stay in main.',
      severity: 'error',
      from: { path: '^renderer/src/' },
      to: { path: '^main/contract/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'electron-only-in-app',
      comment: 'Only main/app/ is Electron glue; everything else runs under plain Node too.',
      severity: 'error',
      from: { pathNot: '^main/app/' },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'helper-not-to-services-app-cli',
      comment: 'The root helper is tiny and distrustful: it must not pull in the unprivileged layers.',
      severity: 'error',
      from: { path: '^main/helper/' },
      to: { path: '^main/(services|app|cli|browser-host)/' },
    },
    {
      name: 'helper-sides-apart',
      comment:
        'main/helper/root/ runs as root, main/helper/client/ in the caller: they share only protocol.ts and line-splitter.ts beside them.',
      severity: 'error',
      from: { path: '^main/helper/(root|client)/' },
      to: { path: '^main/helper/(root|client)/', pathNot: '^main/helper/$1/' },
    },
    {
      name: 'product-not-to-test',
      comment: 'Product code never imports the tests or their harnesses.',
      severity: 'error',
      from: { path: '^(main|renderer/src)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript before compilation, so `import type` edges are seen (and marked type-only).
    tsPreCompilationDeps: true,
    // NodeNext resolution: `./x.js` specifiers name ./x.ts.
    tsConfig: { fileName: 'tsconfig.json' },
    // The renderer's `$contract` alias (renderer/tsconfig.json, renderer/vite.config.ts), given the
    // only way depcruise takes an alias beside tsconfig paths: a webpack-style resolve section.
    webpackConfig: { fileName: path.join(__dirname, '.dependency-cruiser-resolve.cjs') },
    // svelte/internal/* (what the svelte compiler emits) resolve only through package exports.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'svelte', 'browser'],
    },
    reporterOptions: {
      // `-T archi` (dot) draws rooms, not files; docs:graph passes the same pattern to --collapse.
      archi: { collapsePattern: '^(main|renderer/src|node_modules)/[^/]+' },
    },
  },
};
