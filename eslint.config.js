// Lint enforces the layer arrows of docs/architecture.md: each folder may import only what it may depend on,
// statically or through import(). test/unit/lint-rules.test.ts lints probe files that must fail.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'events', 'stream', 'url', 'util'];
const sdks = ['@aws-sdk/*', '@smithy/*', 'ssh2', 'conf', 'electron-store', 'proper-lockfile'];

/** Node and host globals that src/core and src/shared must get through a port instead. */
const hostGlobals = ['process', 'Buffer', 'global', 'require', 'module', '__dirname', '__filename', 'setTimeout', 'setInterval',
  'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'console', 'fetch', 'window', 'document', 'navigator'];

/** A glob of no-restricted-imports as a regular expression over an import specifier, for import() calls. */
function globToRegex(glob) {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const body = escaped
    .replaceAll('**/', '\u0000')
    .replaceAll('/**', '\u0001')
    .replaceAll('*', '[^\\x2F]*')
    .replaceAll('\u0000', '(?:.*\\x2F)?')
    .replaceAll('\u0001', '(?:\\x2F.*)?')
    .replaceAll('/', '\\x2F');
  return body;
}

// ipcMain/ipcRenderer only where the router is bound and where the bridge is built (GitHub Desktop's rule).
const ipcSelectors = [
  { selector: 'ImportSpecifier[imported.name=/^ipc(Main|Renderer)$/]', message: 'Bind IPC only in src/main/ipc-binding.ts and src/preload.' },
  // `import * as electron` or a default import would reach electron.ipcMain past the rule above.
  { selector: "ImportDeclaration[source.value='electron'] > :matches(ImportNamespaceSpecifier, ImportDefaultSpecifier)", message: 'Import named members of electron (so the IPC rule can see them).' },
  { selector: "ImportExpression[source.value='electron']", message: 'Import electron statically, with named members.' },
];

/**
 * The rules for one layer: its forbidden imports, statically (no-restricted-imports) and through
 * import() (no-restricted-syntax, which also carries the IPC rule since one rule's options replace another's).
 */
function layer(files, patterns, message, { extraSyntax = [], ipc = true, literalImportsOnly = false, allow = [], ignores = [], also = [] } = {}) {
  // `allow` carves exceptions out of the patterns (a composition root may import the composition).
  const except = allow.length ? `(?!(?:${allow.map(globToRegex).join('|')})$)` : '';
  // `also`: more forbidden patterns, each group with its own message.
  const groups = [{ patterns, message }, ...also];
  const dynamic = groups.flatMap((group) => group.patterns.map((pattern) => ({
    selector: `ImportExpression[source.value=/^${except}${globToRegex(pattern)}$/]`,
    message: group.message,
  })));
  const computed = literalImportsOnly
    ? [{ selector: "ImportExpression[source.type!='Literal']", message: `${message} (import() of a computed specifier cannot be checked)` }]
    : [];
  return {
    files,
    ...(ignores.length ? { ignores } : {}),
    rules: {
      'no-restricted-imports': ['error', {
        patterns: groups.map((group) => ({ group: [...group.patterns, ...allow.map((glob) => `!${glob}`)], message: group.message })),
      }],
      'no-restricted-syntax': ['error', ...dynamic, ...computed, ...(ipc ? ipcSelectors : []), ...extraSyntax],
    },
  };
}

const coreBans = [...nodeBuiltins, ...sdks, 'electron', '**/adapters/**', '**/main/**', '**/cli/**', '**/renderer/**', '**/preload/**'];
const CORE_MESSAGE = 'src/core is pure domain logic over ports: no node, electron, AWS SDK or ssh2 (put it in src/adapters behind a port).';

// electron-store holds the app's own state (src/main/app-state-store.ts): only the shell may load it, never `rig`'s code paths.
const cliBans = ['electron', 'electron-store', '**/main/**', '**/renderer/**', '**/preload/**', '**/adapters/**'];
const CLI_MESSAGE = 'The CLI never loads electron or the app shell, and reaches src/adapters only through the composition root (src/cli/main.ts imports adapters/compose.js): call the use cases in src/core/app.';
// Written so that no pattern excludes core/app itself: a file cannot be re-allowed inside an excluded folder.
const CLI_FACADE = { patterns: ['**/core/*.*', '**/core/*/**'], message: 'The CLI calls the use cases through the façade only: import from src/core/app/face.js (Rig, what it returns, and the domain rules the CLI words).' };
const mainBans = ['**/cli/**', '**/renderer/**', '**/preload/**', '**/adapters/**'];
// Written so that no pattern excludes core/app itself: a file cannot be re-allowed inside an excluded folder.
const MAIN_FACADE = { patterns: ['**/core/*.*', '**/core/*/**'], message: "The tray app's shell reaches core through its door only: import from src/core/app/app-face.js (the view-model over Rig, the ports it provides, the tray model and errors)." };
// ssh2's are made lazy in its bundle (scripts/main-bundle.mjs, SSH_LAZY_BUILTINS); these are the app's own.
const WATCHER_BUILTINS = {
  patterns: ['node:child_process', 'child_process', 'node:zlib', 'zlib', 'node:dns', 'dns'],
  message: "The tray app's main process keeps every built-in it loads for as long as it runs: load child_process, zlib and dns where they are called (process.getBuiltinModule('node:…')), not with the module.",
};
const MAIN_MESSAGE = 'The Electron shell never imports the CLI, the renderer or the preload, and reaches src/adapters only through the composition root (src/main/index.ts imports adapters/compose.js): call the use cases in src/core/app.';

// The modules of src/core/app that work over the core the façade wraps (CloudRigCore, the service):
// the use cases themselves and the loops the façade builds. test/unit/lint-rules.test.ts checks that
// every such module is named here.
export const OVER_THE_CORE = ['account', 'account-sweep', 'archive', 'change-type', 'cloudrig-core', 'connect', 'cost', 'doctor',
  'elsewhere', 'fleet-watch', 'forgotten-watch', 'idle-answers', 'keep-up', 'lifecycle', 'monitor', 'project-push', 'push', 'remote-access',
  'remove-workstation', 'resize', 'rig-account', 'rig-app', 'rig-connect', 'rig-ssh-config', 'session-reconnect', 'setup-script',
  'skypilot-export', 'snooze', 'still-costing-lookup', 'tunnel-reopen', 'workstation-choice', 'workstation-setup'];
const VIEW_MODEL_MESSAGE = "The tray app's view-model reaches the use cases through Rig (state.rig()), and those that run over a session through face.js as the CLI does: import only types from a module that works over the core, and never the core itself.";

// Its first call builds an ICU collator: megabytes of the watcher's memory (src/shared/text-order.ts).
const LOCALE_COMPARE = { property: 'localeCompare', message: 'Order ids, names and timestamps with byText (src/shared/text-order.ts): localeCompare loads an ICU collator into the long-lived process.' };

/** core and shared: no Node or host globals, and no reaching them through globalThis. */
const pureSyntax = [
  { selector: "MemberExpression[object.name='globalThis']", message: 'src/core and src/shared reach the host only through ports.' },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.bench/**', '.demo/**', '.docs-build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Vitest hooks take their fixtures as an object pattern first: `afterAll(async ({}, file) => …)` reaches the file's tests.
    files: ['test/**/*.ts'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    // CommonJS tooling scripts (they must hook require()).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': ['error', ...ipcSelectors],
      'no-restricted-properties': ['error', LOCALE_COMPARE],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...hostGlobals.map((name) => ({
        name,
        message: `src/core and src/shared get ${name} through a port (Clock, a store, a gateway), never from the host.`,
      }))],
    },
  },
  layer(['src/shared/**/*.ts'],
    [...nodeBuiltins, ...sdks, 'electron', '**/core/**', '**/adapters/**', '**/main/**', '**/cli/**', '**/renderer/**', 'react', 'react-dom'],
    'src/shared imports nothing from node, electron, SDKs or other layers.',
    { extraSyntax: pureSyntax, literalImportsOnly: true }),
  layer(['src/core/**/*.ts'], coreBans, CORE_MESSAGE, { extraSyntax: pureSyntax, literalImportsOnly: true }),
  // Domain code in src/core never imports the application layer above it (src/core/app).
  layer(['src/core/**/*.ts'], coreBans, CORE_MESSAGE, {
    extraSyntax: pureSyntax, literalImportsOnly: true,
    also: [{ patterns: ['./app/**', '../app/**', '**/core/app/**'], message: 'Domain code in src/core never imports src/core/app: move what both need down into src/core, or the helper next to the adapter that uses it.' }],
    ignores: ['src/core/app/**'],
  }),
  {
    // The tray app's view-model (AppSession and its parts) keeps what is shown and calls the use
    // cases through a Rig; the long-running loops it holds are built by app-loops.ts over that Rig.
    files: ['src/core/app/app-*.ts'],
    ignores: ['src/core/app/app-loops.ts', 'src/core/app/app-face.ts', 'src/core/app/app-state-migration.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          // A type import matching any pattern that allows type imports passes them all: cloudrig-core
          // is left to its own pattern, so even the type of the core is refused (its ports' types are not).
          { group: OVER_THE_CORE.filter((name) => name !== 'cloudrig-core').map((name) => `./${name}.js`), allowTypeImports: true, message: VIEW_MODEL_MESSAGE },
          { group: ['./cloudrig-core.js'], importNames: ['CloudRigCore'], message: VIEW_MODEL_MESSAGE },
          { group: ['./rig.js'], importNames: ['coreOf'], message: VIEW_MODEL_MESSAGE },
        ],
      }],
    },
  },
  layer(['src/adapters/**/*.ts'],
    ['electron', 'electron-store', '**/main/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
    'src/adapters may use node and SDKs, never electron, electron-store or the composition roots.', { also: [WATCHER_BUILTINS] }),
  {
    // Configuration is read once at each entry point (src/cli/rig.ts, src/main/index.ts) and passed
    // down as a value; below them nothing reads or writes the environment (core and shared have no
    // process at all), so two runs of `rig` in one process each see their own.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/cli/rig.ts', 'src/main/index.ts'],
    rules: {
      'no-restricted-properties': ['error', {
        object: 'process', property: 'env',
        message: 'Read the environment only at an entry point (src/cli/rig.ts, src/main/index.ts) and pass the value down.',
      }, {
        // `globalThis.process.env` would pass the rule above; nothing below an entry point needs the global.
        object: 'globalThis', property: 'process',
        message: 'Read the environment only at an entry point (src/cli/rig.ts, src/main/index.ts) and pass the value down; use process by name where a built-in is needed.',
      }, {
        object: 'process', property: 'exitCode',
        message: 'Return the exit code (runRig returns it; a command sets its ExitStatus): process.exitCode is shared by every run in the process.',
      }, LOCALE_COMPARE],
    },
  },
  // The two faces reach src/adapters only through their composition root, and each only there:
  // everything else they use is a use case or a port declared in src/core/app.
  // The CLI's commands reach the use cases through the façade only (src/core/app/face.ts): never a
  // use-case module, the service or a port behind it.
  layer(['src/cli/**/*.ts'], cliBans, CLI_MESSAGE, { ignores: ['src/cli/main.ts', 'src/cli/rig.ts'], allow: ['**/core/app/face.js'], also: [CLI_FACADE], literalImportsOnly: true }),
  layer(['src/cli/main.ts'], cliBans, CLI_MESSAGE, { allow: ['**/adapters/compose.js', '**/core/app/face.js'], also: [CLI_FACADE], literalImportsOnly: true }),
  // `rig status` starts its ssh probe before the composition (and the AWS SDK) loads.
  layer(['src/cli/rig.ts'], cliBans, CLI_MESSAGE, { allow: ['**/adapters/early-ssh-probe.js'], also: [CLI_FACADE], literalImportsOnly: true }),
  // The shell reaches core through one door (src/core/app/app-face.ts), as the CLI through face.ts.
  layer(['src/main/**/*.ts'], mainBans, MAIN_MESSAGE, { ignores: ['src/main/ipc-binding.ts', 'src/main/index.ts', 'src/main/start.ts'], allow: ['**/core/app/app-face.js'], also: [MAIN_FACADE, WATCHER_BUILTINS], literalImportsOnly: true }),
  // The app's first module sets V8's memory settings before the composition root loads.
  layer(['src/main/start.ts'], mainBans, MAIN_MESSAGE, { allow: ['**/adapters/memory-first.js'], also: [MAIN_FACADE, WATCHER_BUILTINS], literalImportsOnly: true }),
  layer(['src/main/index.ts'], mainBans, MAIN_MESSAGE, { allow: ['**/adapters/compose.js', '**/core/app/app-face.js'], also: [MAIN_FACADE, WATCHER_BUILTINS], literalImportsOnly: true }),
  layer(['src/main/ipc-binding.ts'], mainBans, MAIN_MESSAGE, { ipc: false, extraSyntax: ipcSelectors.slice(1), allow: ['**/core/app/app-face.js'], also: [MAIN_FACADE, WATCHER_BUILTINS], literalImportsOnly: true }),
  layer(['src/preload/**/*.ts'],
    [...nodeBuiltins, ...sdks, '**/core/**', '**/adapters/**', '**/main/**', '**/cli/**', '**/renderer/**'],
    'The preload only bridges the contract in src/shared to the renderer.',
    { ipc: false, extraSyntax: ipcSelectors.slice(1), literalImportsOnly: true }),
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  layer(['src/renderer/**/*.{ts,tsx}'],
    [...nodeBuiltins, ...sdks, 'electron', '**/core/**', '**/adapters/**', '**/main/**', '**/cli/**', '**/preload/**'],
    'The renderer talks only to window.cloudrig, typed from src/shared.',
    { literalImportsOnly: true }),
);
