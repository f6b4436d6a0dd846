// `npm run bench`: bundles the TypeScript under bench/ (with the src/ and test/fixtures/ code it
// imports) into the gitignored .bench/ directory with esbuild, then runs it; packages stay external
// there. The idle watcher child (the footprint row) is built as the app's main process is (below).
//
//   npm run bench                  print the table
//   npm run bench -- --json [PATH] also write machine-readable results (default .bench/results.json)
//   npm run bench -- --only ID,ID  run some items only (notice, instep, ssh, idle, scan, cli, push, footprint)
//   npm run bench -- --strict      exit 1 when a target is missed
//   npm run bench -- --smoke       every row once, no target judged; exit 1 when a row could not be measured (CI)
import { resolveConfig } from 'electron-vite';
import { parseAst, build as viteBuild } from 'vite';
import { bundleFixtures, ensureCliBuilt } from '../scripts/fixture-bundle.mjs';
import { bodyRunsOnce } from '../scripts/main-bundle.mjs';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.bench');

// The idle watcher process is built by the tray app's own main-process build: electron.vite.config.ts's
// main config (the same plugins, externals, resolution, target and minification as out/main), with
// only the entry (bench/footprint-child.ts instead of src/main/index.ts) and the folder changed. So
// its footprint is that of the code the app ships, dependencies bundled, what is imported only on
// first use (ssh2's sftp, SSM, STS, the setup checks) a chunk of its own.
const { config: appBuild } = await resolveConfig({ root, logLevel: 'warn' }, 'build', 'production');
appBuild.main.build.rolldownOptions.input = { 'footprint-child': join(root, 'bench/footprint-child.ts') };
appBuild.main.build.outDir = join(outdir, 'app-main');
await viteBuild(appBuild.main);
// As in out/main, every chunk but the entry runs its body once, in a function (scripts/main-bundle.mjs):
// a chunk whose body awaits at its top keeps that body's compiled code for good, which the app's do not.
const childChunks = join(outdir, 'app-main', 'chunks');
const keptBodies = readdirSync(childChunks).filter((file) => file.endsWith('.js') && !bodyRunsOnce(parseAst(readFileSync(join(childChunks, file), 'utf8'))));
if (keptBodies.length > 0) throw new Error(`the watcher child's chunks ${keptBodies.join(', ')} run their body at the module's top, unlike the app's: keep top-level await out of bench/footprint-watch.ts`);

await bundleFixtures({ root, entryPoints: { main: 'bench/main.ts' }, outdir });

// `rig status` is measured from the built CLI; rebuild it when src/ is newer than the bundle.
ensureCliBuilt(root, 'bench');

const { main } = await import(pathToFileURL(join(outdir, 'main.mjs')).href);
process.exitCode = await main(process.argv.slice(2), { root, outdir });
