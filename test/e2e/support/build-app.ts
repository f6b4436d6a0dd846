import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lock } from 'proper-lockfile';

const run = promisify(execFile);

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

async function oldestOutput(root: string): Promise<number> {
  const outputs = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].map((file) => join(root, file));
  try {
    return Math.min(...(await Promise.all(outputs.map(async (file) => (await stat(file)).mtimeMs))));
  } catch {
    return 0;
  }
}

/**
 * Runs `electron-vite build` unless out/ is already newer than every source file. One build at a
 * time across test files (they share out/), so no test reads a half-written build.
 */
export async function ensureAppBuilt(root: string): Promise<void> {
  const release = await lock(root, {
    lockfilePath: join(tmpdir(), `cloudrig-e2e-build-${Buffer.from(root).toString('hex').slice(-32)}.lock`),
    retries: { retries: 240, minTimeout: 250, maxTimeout: 500 },
  });
  try {
    // The config's plugins live in scripts/main-bundle.mjs: a change there changes the build too.
    const sources = Math.max(await newestMtime(join(root, 'src')), ...(await Promise.all(['electron.vite.config.ts', 'scripts/main-bundle.mjs'].map(async (file) => (await stat(join(root, file))).mtimeMs))));
    if ((await oldestOutput(root)) > sources) return;
    await run(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root });
  } finally {
    await release();
  }
}
