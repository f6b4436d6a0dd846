// esbuild options shared by everything bundled for plain Node (the `rig` CLI, the bench's watcher
// process): the SDK's ES modules so unused code is dropped, ssh2's native add-ons left out, and
// the require/__dirname that bundled CommonJS expects in ESM output.
export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  mainFields: ['module', 'main'],
  external: ['cpu-features', '*.node'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  logLevel: 'warning',
};
