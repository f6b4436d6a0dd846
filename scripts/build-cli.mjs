// Bundles the `rig` CLI so it starts fast: no module resolution across hundreds of SDK files at
// every run, the SDK's ES modules so unused code is dropped, and code splitting so a command loads
// only what it uses (`rig --help` loads no AWS client at all). ssh2's native add-ons stay external.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('out/cli', { recursive: true, force: true });
await build({
  entryPoints: { rig: 'src/cli/rig.ts' },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  external: ['cpu-features', '*.node'],
  mainFields: ['module', 'main'],
  // Bundled CommonJS (ssh2, parts of the SDK) calls require() and uses __dirname; give ESM output both.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  logLevel: 'warning',
});
