import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// `npm start` runs scripts/start-app.mjs after the build. It is tried in a copy of the project whose
// electron package is the real one's installer and metadata, so the download really runs — against a
// loopback mirror that refuses, as an offline machine would.
const ROOT = resolve(import.meta.dirname, '../..');
const ELECTRON = join(ROOT, 'node_modules', 'electron');

const made: string[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cloudrig-start-'));
  made.push(dir);
  await mkdir(join(dir, 'scripts'));
  await copyFile(join(ROOT, 'scripts', 'start-app.mjs'), join(dir, 'scripts', 'start-app.mjs'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'cloudrig-start-test', private: true }));
  const electron = join(dir, 'node_modules', 'electron');
  await mkdir(electron, { recursive: true });
  for (const file of ['package.json', 'install.js', 'checksums.json']) await copyFile(join(ELECTRON, file), join(electron, file));
  await mkdir(join(dir, 'node_modules', '@electron'));
  await symlink(join(ROOT, 'node_modules', '@electron', 'get'), join(dir, 'node_modules', '@electron', 'get'));
  return dir;
}

async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function start(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(dir, 'scripts', 'start-app.mjs')], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, ...env } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('npm start', () => {
  it('without Electron\'s binary and no way to download it, says so in one line with the way to fetch it and the CLI-only path, and exits 1', async () => {
    const dir = await project();
    const port = await closedLoopbackPort();
    const result = await start(dir, { ELECTRON_MIRROR: `http://127.0.0.1:${port}/`, electron_config_cache: join(dir, 'cache') });
    expect(result.code).toBe(1);
    expect(result.stdout.trim()).toBe('Downloading Electron (once)…');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^CloudRig's app needs Electron's binary, which could not be downloaded \((?=.*(?:ECONNREFUSED|fetch failed))[^\n]+\)\. Fetch it when the network allows with `npx install-electron --no`, then `npm start` again; `rig` works without it: `npm run build && npm link`, then `rig --help`\.$/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('with the binary in place, runs it on the project folder and passes its exit code on', async () => {
    const dir = await project();
    const electron = join(dir, 'node_modules', 'electron');
    await writeFile(join(electron, 'path.txt'), 'electron');
    await mkdir(join(electron, 'dist'));
    await writeFile(join(electron, 'dist', 'electron'), '#!/bin/sh\necho "electron got: $*"\nexit 3\n');
    await chmod(join(electron, 'dist', 'electron'), 0o755);
    const result = await start(dir, { ELECTRON_MIRROR: 'http://127.0.0.1:9/' });
    expect(result).toEqual({ code: 3, stdout: `electron got: ${dir}\n`, stderr: '' });
  });
});
