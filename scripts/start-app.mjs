// `npm start`, after the build: runs the tray app in Electron. Electron ≥ 42 fetches its binary on
// first run rather than at `npm ci`; where that download cannot happen (offline, a proxy, a locked-
// down registry mirror) the electron package throws a stack trace. This says it in one line, with
// what still works (`rig` needs no Electron) and how to fetch the binary later.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const electronDir = dirname(createRequire(join(root, 'package.json')).resolve('electron/package.json'));

/** The binary's path when it is in place (as the electron package itself decides), else null. */
function installedBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8');
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')
    : join(electronDir, 'dist', relative);
  return existsSync(binary) ? binary : null;
}

/** Downloads the binary with the electron package's own installer; its output only shows on success. */
function download() {
  console.log('Downloading Electron (once)…');
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], { encoding: 'utf8' });
  if (result.status === 0) return { ok: true };
  const lines = `${result.stderr ?? ''}\n${result.error?.message ?? ''}`.split('\n').map((line) => line.trim());
  const reason = lines.find((line) => /error|fail|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|status/i.test(line)) ?? lines.find(Boolean) ?? `exit ${String(result.status)}`;
  return { ok: false, reason: reason.replace(/^\w*Error:\s*/, '').slice(0, 200) };
}

let binary = installedBinary();
if (binary === null) {
  const fetched = download();
  binary = fetched.ok ? installedBinary() : null;
  if (binary === null) {
    const why = fetched.ok ? 'the download finished but left no binary' : fetched.reason;
    console.error(`CloudRig's app needs Electron's binary, which could not be downloaded (${why}). Fetch it when the network allows with \`npx install-electron --no\`, then \`npm start\` again; \`rig\` works without it: \`npm run build && npm link\`, then \`rig --help\`.`);
    process.exit(1);
  }
}

const child = spawn(binary, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 1)));
