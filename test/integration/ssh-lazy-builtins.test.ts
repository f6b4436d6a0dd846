import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { utils } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSH_LAZY_BUILTINS, sshLazyBuiltins } from '../../scripts/main-bundle.mjs';
import { ensureAppBuilt } from '../e2e/support/build-app.js';
import { startSshd, type Sshd } from '../fixtures/sshd.js';

// ssh2 as the app and `rig` bundle it: `child_process`, `dns` and `zlib` are loaded when ssh2 first
// calls them, not when it loads (scripts/main-bundle.mjs, SSH_LAZY_BUILTINS). Checked on ssh2's own
// files, transformed by the same function the bundlers use, in a Node of their own (what a process
// has loaded cannot be unloaded), against the real sshd.

const ROOT = resolve(import.meta.dirname, '../..');
let dir = '';
let sshd: Sshd;
let keyPath = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-ssh-lazy-'));
  // A copy of the installed ssh2 with the bundlers' transform applied to each of its files;
  // its own dependencies (asn1, bcrypt-pbkdf) resolve from the project's node_modules.
  const ssh2 = join(dir, 'node_modules', 'ssh2');
  await cp(join(ROOT, 'node_modules', 'ssh2'), ssh2, { recursive: true });
  for (const entry of await readdir(ssh2, { recursive: true })) {
    const path = join(ssh2, entry);
    if (!path.endsWith('.js')) continue;
    const lazy = sshLazyBuiltins(await readFile(path, 'utf8'), path);
    if (lazy !== null) await writeFile(path, lazy);
  }
  const keys = utils.generateKeyPairSync('ed25519');
  keyPath = join(dir, 'key');
  await writeFile(keyPath, keys.private, { mode: 0o600 });
  // OpenSSH's own default, spelled out: compression after authentication, when the client asks.
  sshd = await startSshd({ authorizedKey: keys.public, followLaunches: false, config: ['Compression yes'] });
}, 60_000);

afterAll(async () => {
  await sshd?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const WATCHED = ['child_process', 'dns', 'zlib'] as const;

/** Runs a CommonJS script in a Node of its own beside the transformed ssh2, and parses the JSON it prints last. */
function run<T>(script: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    execFile(process.execPath, ['-e', script], { cwd: dir, env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolvePromise(JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as T);
    });
  });
}

/** Script text: which of the watched built-ins this process has loaded so far. */
const LOADED = `(${JSON.stringify(WATCHED)}).filter((name) => process.moduleLoadList.includes('NativeModule ' + name))`;

describe("ssh2's rarely used built-ins, as the app and rig bundle it", () => {
  it('transforms exactly the three files whose built-ins it names, and every one of them', async () => {
    const transformed: string[] = [];
    for (const entry of await readdir(join(ROOT, 'node_modules', 'ssh2'), { recursive: true })) {
      const path = join(ROOT, 'node_modules', 'ssh2', entry);
      if (path.endsWith('.js') && sshLazyBuiltins(await readFile(path, 'utf8'), path) !== null) transformed.push(entry);
    }
    expect(transformed.sort()).toEqual(['lib/agent.js', 'lib/client.js', 'lib/protocol/zlib.js']);
    expect(SSH_LAZY_BUILTINS).toHaveLength(3);
    // A change in ssh2 that moves a replaced text fails the build, saying where.
    expect(() => sshLazyBuiltins("const { lookup } = require('dns');", '/x/node_modules/ssh2/lib/client.js')).toThrow(/ssh2\/lib\/client\.js no longer has `const \{ lookup: dnsLookup \}/);
  });

  it('loads none of child_process, dns and zlib with ssh2, and each at its first use: a compressed session by host name, a Cygwin agent', async () => {
    const result = await run<{ atLoad: string[]; plainSession: string[]; compress: string[]; plainCompress: string[]; stdout: string; afterCompressed: string[]; agentError: string; afterAgent: string[] }>(`
      const ssh2 = require('ssh2');
      const fs = require('fs');
      const atLoad = ${LOADED};
      const session = (options) => new Promise((resolve, reject) => {
        const client = new ssh2.Client();
        const agreed = new Set();
        let stdout = '';
        client.on('error', reject).on('ready', () => client.exec('echo compressed ok', (error, stream) => {
          if (error) return reject(error);
          stream.on('data', (d) => (stdout += d)).on('close', () => { client.end(); resolve({ compress: [...agreed], stdout }); });
        })).connect({ host: ${JSON.stringify(sshd.host)}, port: ${sshd.port}, username: ${JSON.stringify(sshd.user)},
          privateKey: fs.readFileSync(${JSON.stringify(keyPath)}), hostVerifier: () => true, readyTimeout: 20000,
          debug: (line) => { const m = /^Handshake: (?:C->S|S->C) compression: (.+)$/.exec(line); if (m) agreed.add(m[1]); },
          ...options });
      });
      (async () => {
        // As CloudRig connects: by address, compression not asked for.
        const plain = await session({});
        const plainSession = ${LOADED};
        // By name, forced to IPv4 (ssh2 looks the name up), compression the only choice.
        const compressed = await session({ host: 'localhost', forceIPv4: true, algorithms: { compress: ['zlib@openssh.com'] } });
        const afterCompressed = ${LOADED};
        // A Cygwin agent at a path that is no socket file asks cygpath (absent here) to convert it.
        const agentError = await new Promise((resolve) => new ssh2.CygwinAgent(${JSON.stringify(join(dir, 'no-such-socket'))}).getIdentities((error) => resolve(String(error && error.message))));
        console.log(JSON.stringify({ atLoad, plainSession, plainCompress: plain.compress, ...compressed, afterCompressed, agentError, afterAgent: ${LOADED} }));
      })().catch((error) => { console.error(error); process.exit(1); });
    `);
    expect(result.atLoad).toEqual([]);
    expect(result.plainSession).toEqual([]);
    // Compression was agreed and carried the command's output; dns looked the name up.
    expect(result.plainCompress).toEqual(['none']);
    expect(result.compress).toEqual(['zlib@openssh.com']);
    expect(result.stdout.trim()).toBe('compressed ok');
    expect(result.afterCompressed.sort()).toEqual(['dns', 'zlib']);
    // The agent reached execFile (its failure is ssh2's own message after cygpath could not run).
    expect(result.agentError).toBe('Invalid cygwin unix socket path');
    expect(result.afterAgent.sort()).toEqual(['child_process', 'dns', 'zlib']);
  });

  it("is what the app's main bundle and rig's bundle carry: each built-in required inside a function of ssh2's", { timeout: 120_000 }, async () => {
    await ensureAppBuilt(ROOT);
    for (const outDir of [join(ROOT, 'out', 'main'), join(ROOT, 'out', 'cli')]) {
      const files = (await readdir(outDir, { recursive: true })).filter((file) => file.endsWith('.js') || file.endsWith('.mjs'));
      const code = (await Promise.all(files.map((file) => readFile(join(outDir, file), 'utf8')))).join('\n');
      // ssh2's zlib module is there, and finds zlib's handle class only inside its loader.
      expect(code, outDir).toContain('_handle.constructor');
      expect(code.match(/\b(\w+)=\w+\.createInflate\(\)\._handle\.constructor/g) ?? [], outDir).toHaveLength(1);
      expect(code, outDir).not.toMatch(/\{[^{}]*createInflate[^{}]*\}\s*=\s*\w+\(\s*["'`](?:node:)?zlib["'`]\s*\)/);
      expect(code, outDir).not.toMatch(/\{\s*lookup\s*:\s*\w+\s*\}\s*=\s*\w+\(\s*["'`](?:node:)?dns["'`]\s*\)/);
      expect(code, outDir).not.toMatch(/\{\s*execFile\s*:\s*\w+\s*,\s*spawn\s*:\s*\w+\s*\}\s*=\s*\w+\(\s*["'`](?:node:)?child_process["'`]\s*\)/);
      expect(code, outDir).toMatch(/\(\s*["'`](?:node:)?dns["'`]\s*\)\.lookup\(/);
    }
  });
});
