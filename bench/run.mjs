// `npm run bench`: bundles the TypeScript under bench/ (with the src/ and test/fixtures/ code it
// imports) into the gitignored .bench/ directory with esbuild, then runs it. Packages stay external,
// so they load from node_modules exactly as they do in the app's main process.
//
//   npm run bench                  print the table
//   npm run bench -- --json [PATH] also write machine-readable results (default .bench/results.json)
//   npm run bench -- --only ID,ID  run some items only (notice, instep, ssh, idle, scan, cli, push, footprint)
//   npm run bench -- --strict      exit 1 when a target is missed
//   npm run bench -- --smoke       every row once, no target judged; exit 1 when a row could not be measured (CI)
import { build } from 'esbuild';
import { nodeBundleOptions } from '../scripts/node-bundle.mjs';
import { bundleFixtures, ensureCliBuilt } from '../scripts/fixture-bundle.mjs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.bench');

// The idle watcher process is bundled the way `rig` ships (scripts/build-cli.mjs): dependencies
// included, the SDK's ES modules, split and minified, so its footprint is that of the shipped code
// (what is imported only on first use, like ssh2, SSM and STS, is a chunk of its own).
await build({
  ...nodeBundleOptions,
  absWorkingDir: root,
  entryPoints: { 'footprint-child': 'bench/footprint-child.ts' },
  outdir,
  chunkNames: 'footprint-chunks/[name]-[hash]',
  splitting: true,
  minify: true,
});

// The same child as the tray app's main process is packaged today (electron-vite externalizes
// dependencies): src/ bundled, every package loaded from node_modules as Node resolves it (the
// SDK's CommonJS build, all of it). A diagnostic row beside the judged one.
await build({
  ...nodeBundleOptions,
  absWorkingDir: root,
  entryPoints: { 'footprint-child': 'bench/footprint-child.ts' },
  outdir: join(outdir, 'packages-external'),
  packages: 'external',
  splitting: true,
  minify: true,
});

await bundleFixtures({ root, entryPoints: { main: 'bench/main.ts' }, outdir });

// `rig status` is measured from the built CLI; rebuild it when src/ is newer than the bundle.
ensureCliBuilt(root, 'bench');

const { main } = await import(pathToFileURL(join(outdir, 'main.mjs')).href);
process.exitCode = await main(process.argv.slice(2), { root, outdir });
