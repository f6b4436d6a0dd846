// Bundles the `rig` CLI into one ESM file so it starts fast (no module resolution across
// hundreds of SDK files at every run). Native optional add-ons of ssh2 stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/rig.ts'],
  outfile: 'out/cli/rig.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  external: ['cpu-features', '*.node'],
  // Bundled CommonJS (ssh2, the SDK) calls require(); give ESM output one.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  logLevel: 'warning',
});
