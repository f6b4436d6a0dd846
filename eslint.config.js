// Lint enforces the layer arrows of ../shared/DESIGN.md: each folder may import only what it may depend on.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'crypto', 'events', 'stream', 'url', 'util'];
const sdks = ['@aws-sdk/*', 'ssh2', 'conf', 'electron-store', 'proper-lockfile'];

/** A no-restricted-imports rule refusing the given patterns with a message. */
function forbid(patterns, message) {
  return { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', '.bench/**'] },
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
    // CommonJS tooling scripts (they must hook require()).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: forbid([...nodeBuiltins, ...sdks, 'electron', '**/core/**', '**/adapters/**', '**/main/**', '**/cli/**', '**/renderer/**', 'react', 'react-dom'],
      'src/shared imports nothing from node, electron, SDKs or other layers.'),
  },
  {
    files: ['src/core/**/*.ts'],
    rules: forbid([...nodeBuiltins, ...sdks, 'electron', '**/adapters/**', '**/main/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
      'src/core is pure domain logic over ports: no node, electron, AWS SDK or ssh2 (put it in src/adapters behind a port).'),
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: forbid(['electron', '**/main/**', '**/cli/**', '**/renderer/**', '**/preload/**'],
      'src/adapters may use node and SDKs, never electron or the composition roots.'),
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: forbid(['electron', '**/main/**', '**/renderer/**', '**/preload/**'], 'The CLI never loads electron.'),
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: forbid([...nodeBuiltins, ...sdks, '**/core/**', '**/adapters/**', '**/main/**', '**/cli/**', '**/renderer/**'],
      'The preload only bridges the contract in src/shared to the renderer.'),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: forbid([...nodeBuiltins, ...sdks, 'electron', '**/core/**', '**/adapters/**', '**/main/**', '**/cli/**', '**/preload/**'],
      'The renderer talks only to window.cloudrig, typed from src/shared.'),
  },
  {
    // ipcMain/ipcRenderer only where the router is bound and where the bridge is built (GitHub Desktop's rule).
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/main/ipc-binding.ts', 'src/preload/**'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "ImportSpecifier[imported.name=/^ipc(Main|Renderer)$/]",
        message: 'Bind IPC only in src/main/ipc-binding.ts and src/preload.',
      }],
    },
  },
);
