// Bundles the `rig` CLI so it starts fast: no module resolution across hundreds of SDK files at
// every run, and code splitting so a command loads only what it uses (`rig --help` loads no AWS
// client at all).
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';
import { nodeBundleOptions } from './node-bundle.mjs';

await rm('out/cli', { recursive: true, force: true });
await build({
  ...nodeBundleOptions,
  entryPoints: { rig: 'src/cli/rig.ts' },
  outdir: 'out/cli',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  minify: true,
  sourcemap: 'linked',
});
