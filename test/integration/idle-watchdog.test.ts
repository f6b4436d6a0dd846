// The watchdog's bash, run for real on a scratch machine (test/fixtures/watchdog-machine.ts): its
// probes are stub scripts found first on PATH, so a test sets what the machine looks like at each
// minute. The monitoring cases use the real `ss` instead, against a real sshd and real ssh clients.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MONITOR_FRESH_SECONDS, monitorRegisterCommand, monitorUnregisterCommand, snoozeCommand } from '../../src/core/idle-watchdog.js';
import { IDLE_CHECK_SCRIPT, idleWatchdogInstaller, MONITORS_TMPFILES, userDataFor } from '../../src/core/idle-watchdog-installer.js';
import { ssh2RemoteAccessWith } from '../../src/adapters/ssh/remote-access.js';
import type { RemoteSession } from '../../src/core/app/remote-access.js';
import type { SshTarget } from '../../src/core/ports.js';
import { WorkstationSpecSchema } from '../../src/shared/workstation.js';
import { startSshd, type Sshd } from '../fixtures/sshd.js';
import { spawnOwned, type OwnedProcess } from '../fixtures/owned-process.js';
import { waitUntil } from '../support/wait-until.js';
import { Machine, MINUTE } from '../fixtures/watchdog-machine.js';

// Most cases use 15 idle minutes: each check costs a few bash processes.
describe('idle watchdog check script', () => {
  let machine: Machine;
  // A 15-minute idle window; each busy stretch below (20 checks) outlasts it.
  beforeEach(() => {
    machine = new Machine(15);
  });
  afterEach(() => machine.cleanUp());

  it('shuts down with `shutdown -h now` once idle for 60 minutes, not a minute sooner', () => {
    machine.cleanUp();
    machine = new Machine(60);
    const start = machine.now;
    machine.runFor(60);
    expect(machine.shutdowns()).toEqual([]);
    machine.runFor(1);
    expect(machine.shutdowns()).toEqual([`shutdown -h now at ${start + 60 * MINUTE}`]);
  });

  it('never shuts down while a login session exists, and counts idle time from when it ends', () => {
    machine.who('ubuntu   pts/0        2026-11-10 09:00 (198.51.100.7)\n');
    machine.runFor(20);
    expect(machine.shutdowns()).toEqual([]);

    machine.who('');
    const loggedOut = machine.now;
    machine.runFor(20);
    expect(machine.minutesToShutdown(loggedOut)).toBe(15);
  });

  it('never shuts down while any GPU is busy; GPUs under the threshold count as idle', () => {
    machine.gpus([3, 85]);
    machine.runFor(20);
    expect(machine.shutdowns()).toEqual([]);

    machine.gpus([9, 0]); // under 10%
    const quiet = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(quiet)).toBe(15);
  });

  it('ignores the GPU when nvidia-smi is absent', () => {
    machine.removeNvidiaSmi();
    const start = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(start)).toBe(15);
  });

  it('never shuts down while the keep-alive file holds a future time; resumes counting after it', () => {
    const keepUntil = machine.now + 20 * MINUTE;
    writeFileSync(machine.keepalive, `${keepUntil}\n`);
    machine.runFor(20);
    expect(machine.shutdowns()).toEqual([]);
    // Idle counting starts at the keep-alive time.
    machine.runFor(20);
    expect(machine.minutesToShutdown(keepUntil)).toBe(15);
  });

  it('treats a keep-alive file that holds no number as absent', () => {
    writeFileSync(machine.keepalive, 'tomorrow\n');
    const start = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(start)).toBe(15);
  });

  it('treats a keep-alive time in the past as absent', () => {
    writeFileSync(machine.keepalive, `${machine.now - 1}\n`);
    const start = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(start)).toBe(15);
  });

  it('stays up for an ssh connection that lasts (VS Code, a tunnel) but not for short probes', () => {
    machine.ss('0 0 10.0.0.5:22 198.51.100.7:50022\n');
    machine.runFor(20);
    expect(machine.shutdowns()).toEqual([]);

    // CloudRig's own probes: a new source port at every check.
    const probesOnly = machine.now;
    machine.runFor(16, (minute) => machine.ss(`0 0 10.0.0.5:22 198.51.100.7:${40_000 + minute}\n`));
    expect(machine.minutesToShutdown(probesOnly)).toBe(15);
  });

  it('restarts idle counting when the clock jumps back past the idle marker', () => {
    machine.runFor(10);
    machine.now -= 3 * 3600; // the clock jumps back
    const afterJump = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(afterJump)).toBe(15);
  });
});

describe('snooze command', () => {
  let machine: Machine;
  beforeEach(() => {
    machine = new Machine(15);
  });
  afterEach(() => machine.cleanUp());

  it('writes the keep-alive time under a POSIX sh, and the watchdog then keeps the machine up', () => {
    const result = spawnSync('sh', ['-c', snoozeCommand(2, machine.now, machine.keepalive)], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(readFileSync(machine.keepalive, 'utf8')).toBe(`${machine.now + 7200}\n`);
    expect(result.stdout).toContain(`kept awake until ${machine.now + 7200}`);

    machine.now += 2 * 3600 - 5 * MINUTE; // most of the snooze passes
    machine.runFor(5);
    expect(machine.shutdowns()).toEqual([]);
    const snoozeEnd = machine.now;
    machine.runFor(16);
    expect(machine.minutesToShutdown(snoozeEnd)).toBe(15);
  });

  it('refuses a negative or absurd number of hours', () => {
    expect(() => snoozeCommand(-1, machine.now)).toThrow(/Cannot snooze/);
    expect(() => snoozeCommand(24 * 8, machine.now)).toThrow(/Cannot snooze/);
  });
});

describe('watchdog installer (launch user data)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cloudrig-install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('installs the check script, its settings, the service and the timer, and enables the timer', () => {
    const spec = WorkstationSpecSchema.parse({
      name: 'gpu',
      region: 'us-east-1',
      instanceType: 'g4dn.xlarge',
      image: { kind: 'ami', imageId: 'ami-1' },
      ingressCidr: '203.0.113.7/32',
      autoStop: { enabled: true, idleMinutes: 45, gpuBusyPercent: 20 },
    });
    const userData = userDataFor(spec);
    expect(userData).not.toBeNull();
    const bin = join(root, 'stub-bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'systemctl'), `#!/bin/bash\necho "systemctl $*" >> "${join(root, 'systemctl.log')}"\n`, { mode: 0o755 });
    const installer = join(root, 'user-data.sh');
    writeFileSync(installer, userData!);

    const result = spawnSync('bash', [installer], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`, CLOUDRIG_ROOT: join(root, 'fs') },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const fs = (path: string): string => readFileSync(join(root, 'fs', path), 'utf8');
    expect(fs('usr/local/sbin/cloudrig-idle-check')).toBe(IDLE_CHECK_SCRIPT);
    expect(fs('etc/cloudrig/idle.env')).toBe('CLOUDRIG_IDLE_MINUTES=45\nCLOUDRIG_GPU_BUSY_PERCENT=20\n');
    expect(fs('etc/systemd/system/cloudrig-idle.service')).toContain('ExecStart=/usr/local/sbin/cloudrig-idle-check');
    expect(fs('etc/systemd/system/cloudrig-idle.timer')).toContain('OnUnitActiveSec=1min');
    expect(readFileSync(join(root, 'systemctl.log'), 'utf8')).toBe('systemctl daemon-reload\nsystemctl enable --now cloudrig-idle.timer\n');
    // Where monitoring connections register: sticky and world-writable, now and at every boot.
    expect(fs('etc/tmpfiles.d/cloudrig.conf')).toBe(MONITORS_TMPFILES);
    expect(MONITORS_TMPFILES).toContain('d /run/cloudrig/monitors 1777 root root -');
    expect(statSync(join(root, 'fs', 'run/cloudrig/monitors')).mode & 0o7777).toBe(0o1777);
  });

  it('is valid bash however the ssh user is spelled', () => {
    const installer = idleWatchdogInstaller({ idleMinutes: 60, gpuBusyPercent: 10 }, "o'brien; rm -rf /");
    const result = spawnSync('bash', ['-n'], { input: installer, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(installer).toContain(`ssh_user='o'\\''brien; rm -rf /'`);
  });
});

/** Runs monitorRegisterCommand (or another) as sshd would: under sh, with the connection in $SSH_CONNECTION. */
function runAsConnection(command: string, connection: string | null): number | null {
  return spawnSync('sh', ['-c', command], {
    env: { PATH: '/usr/bin:/bin', ...(connection === null ? {} : { SSH_CONNECTION: connection }) },
  }).status;
}

// Three idle minutes: each check costs a few bash processes.
describe('monitor registrations (stub ss)', () => {
  let machine: Machine;
  beforeEach(() => {
    machine = new Machine(3);
    machine.now = Math.floor(Date.now() / 1000);
    machine.freshSeconds = 3_600;
    mkdirSync(machine.monitorsDir, { recursive: true, mode: 0o1777 });
  });
  afterEach(() => machine.cleanUp());

  it('leaves out the registered connections however ss writes their addresses, and counts every other one', () => {
    expect(runAsConnection(monitorRegisterCommand(machine.monitorsDir), '198.51.100.7 50022 10.0.0.5 22')).toBe(0);
    expect(runAsConnection(monitorRegisterCommand(machine.monitorsDir), '2001:db8::7 50100 2001:db8::5 22')).toBe(0);
    expect(machine.registrations()).toHaveLength(2);
    const registered = '0 0 [::ffff:10.0.0.5]:22 [::ffff:198.51.100.7]:50022\n0 0 [2001:db8::5]:22 [2001:db8::7]:50100\n';

    // Someone else's lasting connection next to them keeps the machine up.
    machine.ss(`${registered}0 0 10.0.0.5:22 198.51.100.9:40000\n`);
    machine.runFor(6);
    expect(machine.busyReason()).toBe('ssh 198.51.100.9');
    expect(machine.shutdowns()).toEqual([]);

    machine.ss(registered);
    const othersGone = machine.now;
    machine.runFor(4);
    expect(machine.minutesToShutdown(othersGone)).toBe(3);
  });

  it('counts a connection as use again once it withdraws its registration', () => {
    const connection = '198.51.100.7 50022 10.0.0.5 22';
    runAsConnection(monitorRegisterCommand(machine.monitorsDir), connection);
    machine.ss('0 0 10.0.0.5:22 198.51.100.7:50022\n');
    machine.runFor(2);
    expect(machine.busyReason()).toBeNull();

    expect(runAsConnection(monitorUnregisterCommand(machine.monitorsDir), connection)).toBe(0);
    expect(machine.registrations()).toEqual([]);
    // Use at once: the connection was there a check ago.
    machine.runFor(1);
    expect(machine.busyReason()).toBe('ssh 198.51.100.7');
    expect(machine.idleSince()).toBeNull();
  });

  it('drops the registration of a connection that ended, so a later one on the same port is use', () => {
    runAsConnection(monitorRegisterCommand(machine.monitorsDir), '198.51.100.7 50022 10.0.0.5 22');
    machine.ss('');
    machine.runFor(1);
    expect(machine.registrations()).toEqual([]);
    machine.ss('0 0 10.0.0.5:22 198.51.100.7:50022\n');
    machine.runFor(2);
    expect(machine.busyReason()).toBe('ssh 198.51.100.7');
  });

  it('says why it wrote nothing: a box whose watchdog predates registration, a box without one, no connection', () => {
    const oldBox = join(machine.dir, 'old', 'run', 'cloudrig');
    mkdirSync(oldBox, { recursive: true });
    expect(runAsConnection(monitorRegisterCommand(join(oldBox, 'monitors')), '198.51.100.7 50022 10.0.0.5 22')).toBe(3);
    expect(runAsConnection(monitorRegisterCommand(join(machine.dir, 'none', 'run', 'cloudrig', 'monitors')), '198.51.100.7 50022 10.0.0.5 22')).toBe(4);
    expect(runAsConnection(monitorRegisterCommand(machine.monitorsDir), null)).toBe(5);
    expect(machine.registrations()).toEqual([]);
  });
});

const run = promisify(execFile);

/** waitUntil with this file's deadline (20 s). */
const waitFor = (what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> => waitUntil(what, condition, timeoutMs);

/** How many connections the real sshd on `port` has now. */
function establishedTo(port: number): number {
  const result = spawnSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  return result.stdout.split('\n').filter((line) => line.trim() !== '').length;
}

// The real thing: a kept-alive RemoteSession (the GPU panel's and `rig stats --watch`'s) against a
// real sshd, the real `ss`, and the check script deciding.
describe("CloudRig's kept-alive monitoring connection (real sshd, real ss)", () => {
  let sshd: Sshd;
  let keys: string;
  let keyPath: string;
  let machine: Machine;
  let target: SshTarget;
  const open: RemoteSession[] = [];
  const children: OwnedProcess[] = [];

  beforeAll(async () => {
    keys = mkdtempSync(join(tmpdir(), 'cloudrig-monitor-keys-'));
    keyPath = join(keys, 'id_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
    sshd = await startSshd({ authorizedKey: readFileSync(`${keyPath}.pub`, 'utf8') });
    target = { host: sshd.host, port: sshd.port, user: sshd.user, keyPath, knownHostsPath: join(keys, 'known_hosts'), workstation: 'gpu', instanceId: 'i-0abc' };
  });
  afterAll(async () => {
    await sshd?.close();
    rmSync(keys, { recursive: true, force: true });
  });

  beforeEach(() => {
    machine = new Machine(3);
    machine.watchRealSshd(sshd.port);
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await Promise.all(open.splice(0).map((session) => session.close()));
    await waitFor('sshd to have no connection left', () => establishedTo(sshd.port) === 0);
    machine.cleanUp();
  });

  /** A kept-alive session registering in the machine's monitors directory, connected and registered. */
  async function registeredSession(): Promise<RemoteSession> {
    const session = ssh2RemoteAccessWith({ monitorsDir: machine.monitorsDir }).session(target);
    open.push(session);
    await session.connect();
    await waitFor('the session to register', () => machine.registrations().length === 1);
    return session;
  }

  it('does not keep the machine awake: idle from the first check, shut down after the idle minutes', async () => {
    const session = await registeredSession();
    const [registration] = machine.registrations();
    expect(readFileSync(join(machine.monitorsDir, registration!), 'utf8')).toMatch(new RegExp(`^127\\.0\\.0\\.1 \\d+ 127\\.0\\.0\\.1 ${sshd.port}\\n$`));

    const start = machine.now;
    machine.runFor(2);
    // The check saw the connection at both checks (it lasted), and left it out.
    expect(readFileSync(join(machine.runDir, 'ssh-connections'), 'utf8')).toMatch(new RegExp(`^127\\.0\\.0\\.1 ${sshd.port} 127\\.0\\.0\\.1 \\d+\\n$`));
    expect(machine.busyReason()).toBeNull();
    expect(machine.idleSince()).toBe(start);
    expect(machine.shutdowns()).toEqual([]);
    machine.runFor(2);
    expect(machine.minutesToShutdown(start)).toBe(3);
    // And the session still does its work.
    expect((await session.exec('echo stats', 10_000)).stdout).toBe('stats\n');
  });

  it('keeps the machine awake while the session carries a tunnel; monitoring again once the tunnel closes', async () => {
    machine.freshSeconds = 3_600;
    const session = await registeredSession();
    const tunnel = await session.forwarder().open({ localPort: 0, remoteHost: '127.0.0.1', remotePort: sshd.port, label: null });
    await waitFor('the registration to be withdrawn', () => machine.registrations().length === 0);
    machine.runFor(5);
    expect(machine.busyReason()).toBe('ssh 127.0.0.1');
    expect(machine.shutdowns()).toEqual([]);

    await tunnel.close();
    await waitFor('the session to register again', () => machine.registrations().length === 1);
    const closed = machine.now;
    machine.runFor(4);
    expect(machine.minutesToShutdown(closed)).toBe(3);
  });

  it('keeps the machine awake for a plain `ssh -N` connection (system OpenSSH) next to a registered session', async () => {
    machine.freshSeconds = 3_600;
    await registeredSession();
    const ssh = await spawnOwned('ssh', ['-N', '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
      '-o', `UserKnownHostsFile=${join(keys, 'openssh_known_hosts')}`, '-o', 'IdentitiesOnly=yes', '-i', keyPath, '-p', String(sshd.port), `${sshd.user}@127.0.0.1`]);
    children.push(ssh);
    await waitFor('ssh -N to connect', () => establishedTo(sshd.port) === 2);
    machine.runFor(5);
    expect(machine.busyReason()).toBe('ssh 127.0.0.1');
    expect(machine.shutdowns()).toEqual([]);
    expect(machine.registrations()).toHaveLength(1);

    await ssh.stop();
    await waitFor('ssh -N to disconnect', () => establishedTo(sshd.port) === 1);
    const gone = machine.now;
    machine.runFor(4);
    expect(machine.minutesToShutdown(gone)).toBe(3);
  });

  it('keeps the machine awake once a registration goes stale (its session stopped refreshing it)', async () => {
    await registeredSession();
    machine.now += MONITOR_FRESH_SECONDS + 2 * MINUTE;
    machine.runFor(5);
    expect(machine.busyReason()).toBe('ssh 127.0.0.1');
    expect(machine.shutdowns()).toEqual([]);
    // The stale record is gone: it can never excuse the connection again.
    expect(machine.registrations()).toEqual([]);
  });

  it('works on a box launched before registration: says so once, and the session carries on', async () => {
    const oldRun = join(machine.dir, 'old-box', 'run', 'cloudrig');
    mkdirSync(oldRun, { recursive: true });
    const session = ssh2RemoteAccessWith({ monitorsDir: join(oldRun, 'monitors') }).session(target);
    open.push(session);
    const notes: string[] = [];
    session.onMonitorNote((message) => notes.push(message));
    await session.connect();
    await waitFor('the note', () => notes.length > 0);
    expect(notes).toEqual([expect.stringMatching(/^Workstation gpu was launched before its idle watchdog could tell CloudRig's monitoring from use/)]);
    expect((await session.exec('echo stats', 10_000)).stdout).toBe('stats\n');
  });
});
