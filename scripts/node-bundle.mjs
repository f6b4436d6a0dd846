// esbuild options shared by everything bundled for plain Node (the `rig` CLI, the bench's watcher
// process): the SDK's ES modules so unused code is dropped, ssh2's native add-ons left out, and
// the require/__dirname that bundled CommonJS expects in ESM output.

/**
 * `await import('node:http')`, which the SDK runs for an http:// endpoint (moto, LocalStack, a
 * proxy), builds node:http's ES-module facade, and building it reads every export, including the
 * lazy WebSocket and MessageEvent getters that compile Node's bundled undici: about 40 ms of CPU
 * in every `rig` run against such an endpoint. require() hands back the same module object
 * without a facade, so a dynamic import of node:http or node:https becomes one.
 */
export const builtinsByRequire = {
  name: 'dynamic-http-import-by-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'builtin-by-require' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
      loader: 'js',
    }));
  },
};

export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  external: ['cpu-features', '*.node'],
  plugins: [builtinsByRequire],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  logLevel: 'warning',
};
