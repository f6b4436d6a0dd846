import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedKeys, readPins, writePins } from '../../src/adapters/ssh/known-hosts.js';
import { sshArgs } from '../../src/core/ssh-command.js';
import type { SshTarget } from '../../src/core/ports.js';
import { initArgs, startRigWorld, type RigResult, type RigWorld } from '../support/rig-harness.js';

// The ssh side of CloudRig's safety: a wrong host, a hostile value or a broken key must end in a
// refusal with a clear line, never in a connection or a crash. Through the built `rig` against moto
// + the cloud proxy + a real sshd and the system OpenSSH client: host keys pinned and enforced, a
// home path with spaces, values that must never become options, a port that resets, a bounded exec,
// and a broken private key.

// One world for the file; each describe sets up the state it needs once (rig runs are the cost).
let world: RigWorld;

beforeAll(async () => {
  world = await startRigWorld();
});
afterAll(() => world?.close());

/** A fresh home and cloud with workstation gpu initialised, launched and answering ssh. */
async function freshReadyWorkstation(): Promise<Record<string, unknown>> {
  await world.reset();
  await init();
  return upReady();
}

async function init(extra: readonly string[] = []): Promise<void> {
  const result = await world.rig(initArgs(world, extra));
  expect(result.code, result.stderr).toBe(0);
  await world.trustWorkstationKey();
  // These tests are about the fallback, trust on first use: as for an image without cloud-init,
  // no host key is seeded (host-key-seeding.test.ts covers the seeded key).
  const core = world.core();
  core.settings.saveWorkstation({ ...core.service.spec('gpu'), seedHostKey: false });
}

async function upReady(): Promise<Record<string, unknown>> {
  const up = await world.rig(['up']);
  expect(up.code, up.stderr).toBe(0);
  const status = await world.statusJson();
  expect(status.phase).toBe('ready');
  return status;
}

/** One error line with its fix, and nothing that looks like a stack trace. */
function expectOneLineError(result: RigResult, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).toMatch(/Fix: /);
  expect(result.stderr).not.toMatch(/\n\s+at |Error: |node:internal|Unhandled/);
}

function knownHostsOf(home: string): string {
  return join(home, 'known_hosts', 'gpu');
}

/** The system ssh, run with exactly the argv CloudRig builds for this home. */
function systemSsh(target: SshTarget, command: readonly string[]): Promise<RigResult> {
  return new Promise((resolve) => {
    execFile('/usr/bin/ssh', ['-o', 'BatchMode=yes', ...sshArgs(target, command)], { timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

function targetIn(home: string): SshTarget {
  return {
    host: world.sshd.host, port: world.sshd.port, user: world.sshd.user,
    keyPath: join(home, 'keys', 'cloudrig-gpu.pem'), knownHostsPath: knownHostsOf(home),
  };
}

describe('host keys are pinned and enforced', () => {
  let status: Record<string, unknown>;
  beforeAll(async () => {
    status = await freshReadyWorkstation();
  });

  it('the first contact pins the host key in the workstation\'s known_hosts (0700 directory) and the system ssh uses it strictly', async () => {
    expect(status.hostKey).toBe('unverified');

    const dir = await stat(join(world.home, 'known_hosts'));
    expect(dir.mode & 0o777).toBe(0o700);
    const pinned = await readFile(knownHostsOf(world.home), 'utf8');
    expect(pinned).toContain(`[127.0.0.1]:${world.sshd.port} ${await world.sshd.hostPublicKey()}`);
    expect(pinned).toContain(`instance=${String(status.instanceId)} trust=unverified`);

    const ssh = await world.rig(['ssh', '--', 'echo', 'pinned-ok']);
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stdout.trim()).toBe('pinned-ok');
    // No "Failed to add the host" and no "Permanently added": ssh only reads the pin.
    expect(ssh.stderr).not.toMatch(/Failed to add|Permanently added/);
    expect(String(status.sshCommand)).toContain('StrictHostKeyChecking=yes');
    expect(await readFile(knownHostsOf(world.home), 'utf8')).toBe(pinned);
  });

  it('a swapped host key is refused by the probe, rig ssh, the ssh2 exec and the system ssh; forgetting the pin (the fix) lets it in again', async () => {
    const pinned = await readFile(knownHostsOf(world.home), 'utf8');
    await world.sshd.rotateHostKey();

    const shown = await world.rig(['status']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/: running — i-/);
    expect(shown.stdout).toContain(`The ssh host key of workstation gpu (instance ${String(status.instanceId)} at 127.0.0.1:${world.sshd.port}) is not the key pinned for it`);
    const json = await world.statusJson();
    expect(json.phase).toBe('running');
    expect(json.error).toMatchObject({ code: 'HostKeyMismatch' });

    const ssh = await world.rig(['ssh', '--', 'touch', join(world.home, 'reached')]);
    expectOneLineError(ssh, /^error: The ssh host key of workstation gpu .* Fix: Do not connect\. Only if you replaced the machine .* forget the old key with `rm .*known_hosts\/gpu`/);
    await expect(stat(join(world.home, 'reached'))).rejects.toMatchObject({ code: 'ENOENT' });

    const core = world.core();
    const target = { ...targetIn(world.home), workstation: 'gpu', instanceId: String(status.instanceId) };
    await expect(core.ssh.exec(target, 'true', 5_000)).rejects.toMatchObject({ code: 'HostKeyMismatch' });
    await expect(core.ssh.probe(target, 5_000)).resolves.toMatchObject({ ok: false, problem: { code: 'HostKeyMismatch' } });

    const system = await systemSsh(target, ['true']);
    expect(system.code).toBe(255);
    expect(system.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    expect(await readFile(knownHostsOf(world.home), 'utf8')).toBe(pinned);

    // Following the fix (the machine really was replaced) pins the new key.
    await rm(knownHostsOf(world.home));
    const again = await world.rig(['ssh', '--', 'echo', 'new-key-ok']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe('new-key-ok');
    expect(await readFile(knownHostsOf(world.home), 'utf8')).toContain(await world.sshd.hostPublicKey());
  });

  it('a pin belongs to one instance: a new instance at the same address is pinned afresh, the same one is held to its key', async () => {
    const core = world.core();
    const same = { ...targetIn(world.home), workstation: 'gpu', instanceId: String(status.instanceId) };
    await world.sshd.rotateHostKey();
    await expect(core.ssh.probe(same, 5_000)).resolves.toMatchObject({ ok: false, problem: { code: 'HostKeyMismatch' } });
    await expect(core.ssh.probe({ ...same, instanceId: 'i-0123456789abcdef0' }, 5_000)).resolves.toEqual({ ok: true, hostKey: 'unverified' });
    const pinned = await readFile(knownHostsOf(world.home), 'utf8');
    expect(pinned).toContain('instance=i-0123456789abcdef0 trust=unverified');
    expect(pinned).toContain(await world.sshd.hostPublicKey());
  });

  it('a key obtained before the first connection is written through the same pin and reported verified', async () => {
    const core = world.core();
    await core.keys.pinHostKeys('gpu', {
      host: world.sshd.host, port: world.sshd.port, keys: [`${await world.sshd.hostPublicKey()} root@instance`],
      instanceId: String(status.instanceId), trust: 'verified',
    });
    const json = await world.statusJson();
    expect(json).toMatchObject({ phase: 'ready', hostKey: 'verified' });
    const ssh = await world.rig(['ssh', '--', 'echo', 'seeded-ok']);
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stdout.trim()).toBe('seeded-ok');
  });

  it('bounded exec: a command that outlives the timeout is cut off with a clear error; one that finishes returns its output', async () => {
    const core = world.core();
    const target = await core.service.sshTarget('gpu');
    expect(await core.ssh.exec(target, 'echo within-time', 5_000)).toMatchObject({ code: 0, stdout: 'within-time\n' });
    // Without the bound this would run for 60 s and the test would time out.
    await expect(core.ssh.exec(target, 'sleep 60', 1_000)).rejects.toMatchObject({
      code: 'SshCommandTimeout', message: expect.stringMatching(/did not finish within 1 s/),
    });
  }, 30_000);

  it('a broken private key (0644): status is not ready and says chmod 600; rig ssh fails with that one line, not ssh\'s warnings', async () => {
    const key = join(world.home, 'keys', 'cloudrig-gpu.pem');
    await chmod(key, 0o644);
    const shown = await world.rig(['status']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/: running — i-/);
    expect(shown.stdout).toContain(`Fix: Make it private: chmod 600 ${key}`);
    expect((await world.statusJson()).error).toMatchObject({ code: 'KeyPermissions' });

    const ssh = await world.rig(['ssh', '--', 'true']);
    expectOneLineError(ssh, /^error: The private key of workstation gpu can be read by other users \(mode 0644\).* Fix: Make it private: chmod 600 /);
    expect(ssh.stderr).not.toMatch(/UNPROTECTED PRIVATE KEY/);
    expect(ssh.stderr.trim().split('\n')).toHaveLength(1);

    // Following the fix makes it ready again.
    await chmod(key, 0o600);
    expect((await world.statusJson()).phase).toBe('ready');
  });

  it('a deleted private key: status is not ready and says how to restore or recreate it; rig ssh fails with one line', async () => {
    const key = join(world.home, 'keys', 'cloudrig-gpu.pem');
    const saved = await readFile(key, 'utf8');
    await rm(key);
    try {
      const json = await world.statusJson();
      expect(json.phase).toBe('running');
      expect(json.error).toMatchObject({ code: 'KeyMissing', fix: expect.stringMatching(/Restore the file from your backup .*`rig init --new-key`/) });
      const ssh = await world.rig(['ssh']);
      expectOneLineError(ssh, /^error: The private key of workstation gpu is missing: .*cloudrig-gpu\.pem\. Fix: Restore/);
      expect(ssh.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await writeFile(key, saved, { mode: 0o600 });
    }
  });

  it('a hand-edited settings file with an option as the ssh user is refused before ssh runs', async () => {
    const proof = join(world.home, 'owned');
    const edited = await mkdtemp(join(tmpdir(), 'cloudrig-edited-'));
    try {
      const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, Record<string, unknown>> };
      settings.workstations.gpu!.sshUser = `-oProxyCommand=touch ${proof}`;
      await writeFile(join(edited, 'settings.json'), JSON.stringify(settings), { mode: 0o600 });
      const ssh = await world.rig(['ssh', '--', 'true'], { env: { CLOUDRIG_HOME: edited } });
      expectOneLineError(ssh, /workstations\.gpu\.sshUser: not a login name/);
      await expect(stat(proof)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(edited, { recursive: true, force: true });
    }
  });
});

describe('known_hosts files written by OpenSSH', () => {
  it('a pin hashed by ssh-keygen -H is still found for its [host]:port and for no other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cloudrig-hashed-'));
    try {
      const path = join(dir, 'gpu');
      const key = await world.sshd.hostPublicKey();
      await writeFile(path, `[127.0.0.1]:2222 ${key}\n`, { mode: 0o600 });
      await new Promise<void>((resolve, reject) => execFile('ssh-keygen', ['-H', '-f', path], (error) => (error ? reject(error) : resolve())));
      const hashed = await readPins(path);
      expect(hashed?.entries[0]?.hosts).toMatch(/^\|1\|/);
      expect(pinnedKeys(hashed!, '127.0.0.1', 2222)).toEqual([key]);
      expect(pinnedKeys(hashed!, '127.0.0.1', 22)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a home path with spaces', () => {
  it('pins to and reads from <home>/known_hosts/<name> with no stray file, and forgetting deletes that file', async () => {
    await world.reset();
    const base = await mkdtemp(join(tmpdir(), 'cloudrig-spaced-'));
    const parent = join(base, 'Application Support');
    world.home = join(parent, 'Cloud Rig');
    await mkdir(world.home, { recursive: true, mode: 0o700 });
    try {
      await init();
      await upReady();
      const ssh = await world.rig(['ssh', '--', 'echo', 'spaced-ok']);
      expect(ssh.code, ssh.stderr).toBe(0);
      expect(ssh.stdout.trim()).toBe('spaced-ok');
      expect(ssh.stderr).not.toMatch(/Failed to add|Permanently added/);
      expect((await readdir(base)).sort()).toEqual(['Application Support']);
      expect((await readdir(parent)).sort()).toEqual(['Cloud Rig']);
      expect(await readFile(knownHostsOf(world.home), 'utf8')).toContain(await world.sshd.hostPublicKey());

      // The system ssh reads the pin at the spaced path: a swapped key is refused there.
      await world.sshd.rotateHostKey();
      const system = await systemSsh(targetIn(world.home), ['true']);
      expect(system.code).toBe(255);
      expect(system.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);

      await world.core().keys.forgetHostKeys('gpu');
      await expect(stat(knownHostsOf(world.home))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readdir(join(world.home, 'known_hosts'))).toEqual([]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('the real ssh reads exactly the known_hosts path CloudRig gives it', () => {
  it.each([
    ['Application Support', 'Cloud Rig'],
    [`it's "quoted"`, 'back\\slashed\\'],
    ['C:\\Users\\Jo Ann\\AppData', '#not a comment'],
  ])('a pin under %j / %j is read: ssh gets past the host key (to authentication), and without the pin it does not', async (dirName, fileName) => {
    const base = await mkdtemp(join(tmpdir(), 'cloudrig-paths-'));
    try {
      const knownHostsPath = join(base, dirName, fileName, 'gpu');
      const keyPath = join(base, dirName, `it's a "key" #1`);
      await mkdir(join(base, dirName), { recursive: true });
      await writeFile(keyPath, 'not a key\n', { mode: 0o600 });
      const target: SshTarget = { host: world.sshd.host, port: world.sshd.port, user: 'nobody', keyPath, knownHostsPath };

      const unpinned = await systemSsh(target, ['true']);
      expect(unpinned.stderr).toMatch(/Host key verification failed/);

      await writePins(knownHostsPath, { host: world.sshd.host, port: world.sshd.port, keys: [await world.sshd.hostPublicKey()], instanceId: null, trust: 'unverified' });
      const pinned = await systemSsh(target, ['true']);
      expect(pinned.code).toBe(255);
      expect(pinned.stderr).toMatch(/Permission denied \(publickey\)/);
      expect(pinned.stderr).not.toMatch(/Host key verification failed/);
      expect((await readdir(base)).sort()).toEqual([dirName]);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});

describe('values never become options or commands', () => {
  const attempts: readonly (readonly [string, string])[] = [
    ['--ssh-user', '-oProxyCommand=touch PROOF'],
    ['--ssh-user', ''],
    ['--ssh-user', 'ubuntu;touch PROOF'],
    ['--ssh-user', 'a b'],
    ['--ssh-host', '-oProxyCommand=touch PROOF'],
    ['--ssh-host', 'h;touch PROOF'],
    ['--ssh-host', 'h $(touch PROOF)'],
    ['--ssh-host', 'root@h'],
    ['--ssh-host', 'h\ntouch PROOF'],
  ];

  beforeAll(() => world.reset());

  it.each(attempts)('rig init %s %j is refused with one line and its fix, creating nothing', async (flag, raw) => {
    const proof = join(world.home, 'owned');
    const value = raw.replace('PROOF', proof);
    const result = await world.rig([...initArgs(world).filter((_, i, all) => all[i] !== flag && all[i - 1] !== flag), flag, value]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag === '--ssh-user' ? 'is not a login name' : 'is not a host name or IP address');
    expect(result.stderr).toMatch(/Fix: .*(e\.g\. ubuntu|203\.0\.113\.7)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(world.home)).toEqual([]);
    expect(world.cloud.proxy.counts().CreateKeyPair ?? 0).toBe(0);
  });
});

describe('a port that accepts and then misbehaves', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let behaviour: (socket: Socket) => void = (socket) => socket.resetAndDestroy();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket.on('close', () => sockets.delete(socket)).on('error', () => undefined));
      behaviour(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await world.reset();
    await init(['--ssh-port', String((server.address() as { port: number }).port)]);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('rig up --no-wait-ssh, rig status and rig ssh give a result or one clear line, never a crash', async () => {
    behaviour = (socket) => socket.resetAndDestroy();
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toMatch(/\n\s+at |Unhandled|node:events/);

    const status = await world.rig(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'running', phase: 'running' });

    const ssh = await world.rig(['ssh', '--', 'true']);
    expectOneLineError(ssh, /^error: Workstation gpu runs, but ssh to .*:\d+ does not answer/);
  });

  it.each([
    ['sends garbage after a banner', (socket: Socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n\u0000\u0001garbage\r\n'.repeat(4))],
    ['closes right after the banner', (socket: Socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n')],
    ['resets right after the banner', (socket: Socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n', () => socket.resetAndDestroy())],
  ])('rig status against a port that %s says running, not ready, without a crash', async (_what, misbehave) => {
    behaviour = misbehave;
    const status = await world.rig(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/: running — i-/);
    expect(status.stderr).not.toMatch(/\n\s+at |Unhandled|node:events/);
  });
});
