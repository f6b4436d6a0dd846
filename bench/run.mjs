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
import { copyFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.bench');

// The test fixtures import ssh2 (CommonJS) by named exports, which vitest allows and Node's ESM
// loader does not: route every `ssh2` import through a small shim that requires it.
const ssh2Shim = {
  name: 'ssh2-named-exports',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, () => ({ path: 'ssh2', namespace: 'ssh2-shim' }));
    b.onLoad({ filter: /.*/, namespace: 'ssh2-shim' }, () => ({
      contents: "import { createRequire } from 'node:module';\n" +
        "const ssh2 = createRequire(import.meta.url)('ssh2');\n" +
        'export default ssh2;\nexport const { Client, Server, utils } = ssh2;\n',
      loader: 'js',
    }));
  },
};

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

await build({
  absWorkingDir: root,
  plugins: [ssh2Shim],
  entryPoints: { main: 'bench/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'inline',
  logLevel: 'warning',
});

// The bundled fixtures look for their data files next to themselves (import.meta.dirname is .bench/):
// moto's one stock image list, without which moto answers EC2 calls with HTTP 500.
copyFileSync(join(root, 'test', 'fixtures', 'moto-amis.json'), join(outdir, 'moto-amis.json'));

// `rig status` is measured from the built CLI; rebuild it when src/ is newer than the bundle.
const cli = join(root, 'out', 'cli', 'rig.mjs');
if (!existsSync(cli) || newestMtime(join(root, 'src')) > statSync(cli).mtimeMs) {
  process.stderr.write('bench: out/cli/rig.mjs is missing or older than src/; rebuilding it (node scripts/build-cli.mjs)\n');
  const built = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.stderr.write('bench: CLI build failed; measuring the existing bundle if there is one\n');
}

const { main } = await import(pathToFileURL(join(outdir, 'main.mjs')).href);
process.exitCode = await main(process.argv.slice(2), { root, outdir });

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
