// Bundling the TypeScript test fixtures (moto, the cloud proxy, the sshd) for plain Node, outside
// vitest: what `npm run bench` and `npm run demo` both run. Packages stay external, so they load
// from node_modules exactly as they do in the app's main process.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The test fixtures import ssh2 (CommonJS) by named exports, which vitest allows and Node's ESM
 * loader does not: route every `ssh2` import through a small shim that requires it.
 */
export const ssh2NamedExports = {
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

/** Bundles `entryPoints` (name → .ts path) into `outdir` as `<name>.mjs`, with the data files the fixtures read. */
export async function bundleFixtures({ root, entryPoints, outdir }) {
  await build({
    absWorkingDir: root,
    plugins: [ssh2NamedExports],
    entryPoints,
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
  // The bundled fixtures look for their data files next to themselves (import.meta.dirname is
  // outdir): moto's one stock image list, without which moto answers EC2 calls with HTTP 500.
  copyFileSync(join(root, 'test', 'fixtures', 'moto-amis.json'), join(outdir, 'moto-amis.json'));
}

/** Rebuilds out/cli/rig.mjs when it is missing or older than src/; `who` prefixes the line that says so. */
export function ensureCliBuilt(root, who) {
  const cli = join(root, 'out', 'cli', 'rig.mjs');
  if (existsSync(cli) && newestMtime(join(root, 'src')) <= statSync(cli).mtimeMs) return;
  process.stderr.write(`${who}: out/cli/rig.mjs is missing or older than src/; rebuilding it (node scripts/build-cli.mjs)\n`);
  const built = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) process.stderr.write(`${who}: CLI build failed; using the existing bundle if there is one\n`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
