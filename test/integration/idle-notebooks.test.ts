// The watchdog's check, run for real on a scratch machine (test/fixtures/watchdog-machine.ts), with
// a Jupyter-like server running on it (test/fixtures/jupyter-stub.ts): a separate process on
// 127.0.0.1 that answers api/kernels only with its token, and writes its jpserver-PID.json into the
// machine's Jupyter runtime directory, where the check looks. The check's clock is the machine's
// stub clock, and the kernels' last activity is set against it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userDataFor } from '../../src/core/idle-watchdog-installer.js';
import { launchUserData } from '../../src/adapters/user-data.js';
import { CLIENT_ALIVE_CONFIG, CLIENT_ALIVE_DROP_IN } from '../../src/core/ssh-client-alive.js';
import { WorkstationSpecSchema } from '../../src/shared/workstation.js';
import { startJupyterStub, stubKernel, type JupyterStub } from '../fixtures/jupyter-stub.js';
import { freePort } from '../fixtures/free-port.js';
import { Machine, MINUTE } from '../fixtures/watchdog-machine.js';

const TOKEN = 'c0ffee5ecret7oken0f1he5erver0123456789abcdef';

let machine: Machine;
const servers: JupyterStub[] = [];
const listeners: Server[] = [];

// Five idle minutes: each check with a notebook server runs python and asks it.
beforeEach(() => {
  machine = new Machine(5);
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  await Promise.all(listeners.splice(0).map((listener) => new Promise((resolve) => listener.close(resolve))));
  machine.cleanUp();
});

/** A notebook server on the machine, run by its user `ubuntu`. */
async function notebookServer(options: { token?: string; baseUrl?: string; sock?: string } = {}): Promise<JupyterStub> {
  const server = await startJupyterStub({
    runtimeDir: machine.jupyterRuntimeDir, token: options.token ?? TOKEN,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), ...(options.sock ? { sock: options.sock } : {}),
  });
  servers.push(server);
  return server;
}

/** Rewrites a server's runtime file: what a stale, edited or foreign file says. */
function editRuntimeFile(server: JupyterStub, change: Record<string, unknown>): void {
  const info = JSON.parse(readFileSync(server.runtimeFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(server.runtimeFile, JSON.stringify({ ...info, ...change }));
}

describe('notebook kernels on the box', () => {
  it('a busy kernel keeps the machine up with nobody logged in; once idle, it stops the idle minutes after the kernel finished', async () => {
    const server = await notebookServer();
    await server.kernels([stubKernel('train', 'busy', machine.now)]);
    machine.runFor(8);
    expect(machine.shutdowns()).toEqual([]);
    expect(machine.busyReason()).toBe('kernel busy');
    expect(machine.idleSince()).toBeNull();

    const finished = machine.now;
    await server.kernels([stubKernel('train', 'idle', finished)]);
    machine.runFor(6);
    expect(machine.busyReason()).toBeNull();
    expect(machine.minutesToShutdown(finished)).toBe(5);
    // Each check asked, with the token.
    const requests = await server.requests();
    expect(requests.length).toBeGreaterThanOrEqual(14);
    expect(requests.every((request) => request.url === '/api/kernels' && request.authorized)).toBe(true);
  });

  it('an idle kernel does not keep the machine up: with its last activity long ago, the machine stops after the idle minutes', async () => {
    const server = await notebookServer();
    const start = machine.now;
    await server.kernels([stubKernel('old', 'idle', start - 3 * 3600), stubKernel('older', 'idle', start - 5 * 3600)]);
    machine.runFor(6);
    expect(machine.minutesToShutdown(start)).toBe(5);
  });

  it('a kernel active within the idle window counts: the machine stops the idle minutes after that activity, not sooner', async () => {
    const server = await notebookServer({ baseUrl: '/lab/' });
    const start = machine.now;
    await server.kernels([stubKernel('notebook', 'idle', start - 3 * 3600)]);
    machine.runFor(3);
    expect(machine.idleSince()).toBe(start);

    // A cell ran between two checks: by the next check the kernel is idle again, active a minute ago.
    const ran = machine.now - 30;
    await server.kernels([stubKernel('notebook', 'idle', ran)]);
    machine.runFor(1);
    expect(machine.idleSince()).toBe(ran);
    machine.runFor(6);
    // The first check 5 minutes after the cell ran (without it: minute 5 of the run).
    expect(machine.minutesToShutdown(start)).toBe(8);
    expect(machine.minutesToShutdown(ran)).toBe(5.5);
    expect((await server.requests()).every((request) => request.url === '/lab/api/kernels')).toBe(true);
  });

  it('a server that refuses the token, or whose runtime file carries none, counts for nothing', async () => {
    const wrong = await notebookServer();
    await wrong.kernels([stubKernel('train', 'busy', machine.now)]);
    editRuntimeFile(wrong, { token: 'not-the-token' });
    const none = await notebookServer({ token: 'a-token-its-file-does-not-carry' });
    await none.kernels([stubKernel('train', 'busy', machine.now)]);
    editRuntimeFile(none, { token: '' });

    const start = machine.now;
    machine.runFor(6);
    expect(machine.minutesToShutdown(start)).toBe(5);
    // Both were asked, and neither answered the question.
    for (const server of [wrong, none]) {
      const requests = await server.requests();
      expect(requests.length).toBeGreaterThan(0);
      expect(requests.some((request) => request.authorized)).toBe(false);
    }
  });

  it('a server on a unix socket (`jupyter server --sock`) is asked over it: its busy kernel keeps the machine up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudrig-sock-'));
    try {
      const server = await notebookServer({ sock: join(dir, 'jupyter.sock'), baseUrl: '/lab/' });
      await server.kernels([stubKernel('train', 'busy', machine.now)]);
      machine.runFor(8);
      expect(machine.shutdowns()).toEqual([]);
      expect(machine.busyReason()).toBe('kernel busy');
      const requests = await server.requests();
      expect(requests.length).toBeGreaterThanOrEqual(8);
      expect(requests.every((request) => request.url === '/lab/api/kernels' && request.authorized)).toBe(true);
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a server whose runtime directory JUPYTER_RUNTIME_DIR moved elsewhere is found through its environment, and its busy kernel keeps the machine up', async () => {
    const custom = mkdtempSync(join(tmpdir(), 'cloudrig-runtime-'));
    try {
      const server = await startJupyterStub({ runtimeDir: custom, token: TOKEN, env: { JUPYTER_RUNTIME_DIR: custom } });
      servers.push(server);
      await server.kernels([stubKernel('train', 'busy', machine.now)]);
      // Not where the check looks by default: the machine's users' runtime directories.
      expect(server.runtimeFile.startsWith(machine.jupyterRuntimeDir)).toBe(false);
      machine.readsProcesses = true;
      machine.runFor(8);
      expect(machine.shutdowns()).toEqual([]);
      expect(machine.busyReason()).toBe('kernel busy');
      expect((await server.requests()).every((request) => request.authorized)).toBe(true);
    } finally {
      rmSync(custom, { recursive: true, force: true });
    }
  });

  it('a socket that accepts and never answers is given up on, and the servers after it are still asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudrig-sock-'));
    try {
      // Reads and never answers; lets go once the check hangs up (so it can be closed after).
      const silent = createServer((socket) => void socket.on('end', () => socket.destroy()).resume());
      listeners.push(silent);
      await new Promise<void>((resolve) => silent.listen(join(dir, 'silent.sock'), resolve));
      mkdirSync(machine.jupyterRuntimeDir, { recursive: true });
      // Named to come first in the check's (sorted) list, before the stub's jpserver-PID.json.
      writeFileSync(join(machine.jupyterRuntimeDir, 'jpserver-0-silent.json'),
        JSON.stringify({ pid: process.pid, port: 0, sock: join(dir, 'silent.sock'), base_url: '/', token: TOKEN }));
      const busy = await notebookServer();
      await busy.kernels([stubKernel('train', 'busy', machine.now)]);
      machine.check();
      expect(machine.busyReason()).toBe('kernel busy');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a JUPYTER_RUNTIME_DIR that is a pattern is taken as written, not expanded', async () => {
    const custom = mkdtempSync(join(tmpdir(), 'cloudrig-runtime-'));
    try {
      // The server writes into custom/sub; its environment names custom/* (which a glob would match).
      const server = await startJupyterStub({ runtimeDir: join(custom, 'sub'), token: TOKEN, env: { JUPYTER_RUNTIME_DIR: join(custom, '*') } });
      servers.push(server);
      await server.kernels([stubKernel('train', 'busy', machine.now)]);
      machine.readsProcesses = true;
      machine.check();
      expect(machine.busyReason()).toBeNull();
      expect(await server.requests()).toEqual([]);
    } finally {
      rmSync(custom, { recursive: true, force: true });
    }
  });

  it('a runtime file whose socket is not one (a FIFO, a regular file, a relative path) counts for nothing, and the check does not hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudrig-sock-'));
    try {
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      writeFileSync(join(dir, 'file'), 'not a socket');
      mkdirSync(machine.jupyterRuntimeDir, { recursive: true });
      for (const [name, sock] of [['fifo', join(dir, 'fifo')], ['file', join(dir, 'file')], ['relative', 'jupyter.sock']]) {
        writeFileSync(join(machine.jupyterRuntimeDir, `jpserver-${name}.json`), JSON.stringify({ pid: process.pid, port: 0, sock, base_url: '/', token: TOKEN }));
      }
      const start = machine.now;
      machine.runFor(6);
      expect(machine.minutesToShutdown(start)).toBe(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a server that is gone (killed, its runtime file left behind) or does not listen counts for nothing, and the check does not fail', async () => {
    const crashed = await notebookServer();
    await crashed.kernels([stubKernel('train', 'busy', machine.now)]);
    await crashed.kill();
    expect(existsSync(crashed.runtimeFile)).toBe(true);
    // A runtime file naming a live process (this one) and a port nothing listens on.
    writeFileSync(join(machine.jupyterRuntimeDir, 'jpserver-closed.json'),
      JSON.stringify({ pid: process.pid, port: await freePort(), base_url: '/', token: TOKEN, secure: false, url: 'http://localhost:1/' }));

    const start = machine.now;
    machine.runFor(6);
    expect(machine.minutesToShutdown(start)).toBe(5);
  });

  it('a server that accepts the connection and never answers is given up on, and counts for nothing', async () => {
    const silent = createServer(() => undefined);
    listeners.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    mkdirSync(machine.jupyterRuntimeDir, { recursive: true });
    writeFileSync(join(machine.jupyterRuntimeDir, 'jpserver-silent.json'), JSON.stringify({ pid: process.pid, port, base_url: '/', token: TOKEN }));
    // The kernel accepts the connection for the listener (no event loop needed); nothing ever answers.
    machine.check();
    expect(machine.busyReason()).toBeNull();
    expect(machine.idleSince()).toBe(machine.now);
  });

  it('a FIFO, a symlink or nonsense in the runtime directory neither hangs the check nor keeps the machine up', async () => {
    const dir = machine.jupyterRuntimeDir;
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'jpserver-fifo.json')]);
    writeFileSync(join(dir, 'jpserver-nonsense.json'), '{"port": "8888", "token": ["x"]');
    writeFileSync(join(dir, 'nbserver-list.json'), '[1, 2, 3]');
    const server = await notebookServer();
    await server.kernels([stubKernel('train', 'busy', machine.now)]);
    execFileSync('ln', ['-s', server.runtimeFile, join(dir, 'jpserver-link.json')]);
    rmSync(server.runtimeFile);

    const start = machine.now;
    machine.runFor(6);
    expect(machine.minutesToShutdown(start)).toBe(5);
    expect(await server.requests()).toEqual([]);
  });

  it('never writes the token: not on its output, not in its run directory', async () => {
    const server = await notebookServer();
    await server.kernels([stubKernel('train', 'busy', machine.now)]);
    const output = machine.check();
    await server.kernels([stubKernel('train', 'idle', machine.now)]);
    machine.now += MINUTE;
    const later = machine.check();
    expect(machine.busyReason()).toBeNull();
    const written = [output.stdout, output.stderr, later.stdout, later.stderr,
      ...readdirSync(machine.runDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))];
    expect(written.filter((text) => text.includes(TOKEN))).toEqual([]);
    expect((await server.requests()).filter((request) => request.authorized)).toHaveLength(2);
  });
});

describe('what keeps the machine up, as the check writes it for the laptop', () => {
  it('names the signal, with the address of the session it comes from', async () => {
    machine.who('ubuntu   pts/0        2026-11-10 09:00 (198.51.100.7)\n');
    machine.check();
    expect(machine.busyReason()).toBe('login 198.51.100.7');

    machine.who('');
    machine.ss('0 0 10.0.0.5:22 203.0.113.9:50022\n');
    machine.runFor(2);
    expect(machine.busyReason()).toBe('ssh 203.0.113.9');

    machine.ss('');
    machine.gpus([3, 87]);
    machine.check();
    expect(machine.busyReason()).toBe('gpu 87');

    machine.gpus([0]);
    const server = await notebookServer();
    await server.kernels([stubKernel('train', 'busy', machine.now)]);
    machine.check();
    expect(machine.busyReason()).toBe('kernel busy');

    await server.kernels([]);
    writeFileSync(machine.keepalive, `${machine.now + 3600}\n`);
    machine.check();
    expect(machine.busyReason()).toBe(`keepalive ${machine.now + 3600}`);
  });
});

describe("sshd's client-alive check through the user data", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cloudrig-sshd-install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const spec = WorkstationSpecSchema.parse({
    name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge', image: { kind: 'ami', imageId: 'ami-1' }, ingressCidr: '203.0.113.7/32',
  });

  /** A box's /etc/ssh under `root`: a host key and an sshd_config that includes the drop-in folder, as Ubuntu's does. */
  function sshConfig(): string {
    const etc = join(root, 'fs', 'etc', 'ssh');
    execFileSync('mkdir', ['-p', etc]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(etc, 'ssh_host_ed25519_key')]);
    const config = join(etc, 'sshd_config');
    writeFileSync(config, [`Include ${etc}/sshd_config.d/*.conf`, 'ListenAddress 127.0.0.1:2222', `HostKey ${join(etc, 'ssh_host_ed25519_key')}`,
      'UsePAM no', 'PasswordAuthentication no', ''].join('\n'));
    return config;
  }

  /** Runs the launch's user data as cloud-init would, as root under `root`, with systemctl (and any other stub) recorded. */
  function runUserData(stubs: Record<string, string> = {}): { status: number | null; stderr: string; systemctl: string[] } {
    const bin = join(root, 'stub-bin');
    execFileSync('mkdir', ['-p', bin]);
    const log = join(root, 'systemctl.log');
    writeFileSync(join(bin, 'systemctl'), `#!/bin/bash\necho "systemctl $*" >> "${log}"\n`, { mode: 0o755 });
    for (const [name, body] of Object.entries(stubs)) writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    const userData = launchUserData(spec);
    expect(userData).toBe(userDataFor(spec));
    const script = join(root, 'user-data.sh');
    writeFileSync(script, userData!);
    const result = spawnSync('bash', [script], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`, CLOUDRIG_ROOT: join(root, 'fs') } });
    return { status: result.status, stderr: result.stderr, systemctl: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
  }

  it('writes ClientAliveInterval 60 and ClientAliveCountMax 3 in a drop-in that sshd -t accepts, and reloads sshd', () => {
    const config = sshConfig();
    const result = runUserData();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(join(root, 'fs', CLIENT_ALIVE_DROP_IN), 'utf8')).toBe(CLIENT_ALIVE_CONFIG);
    expect(result.systemctl.at(-1)).toBe('systemctl reload ssh.service');
    // What sshd itself makes of the whole configuration, the drop-in included.
    const effective = execFileSync('/usr/sbin/sshd', ['-T', '-f', config], { encoding: 'utf8' });
    expect(effective).toMatch(/^clientaliveinterval 60$/m);
    expect(effective).toMatch(/^clientalivecountmax 3$/m);
  });

  it('takes the drop-in back and leaves sshd alone when sshd refuses the configuration; the watchdog is installed all the same', () => {
    sshConfig();
    const result = runUserData({ sshd: 'echo "sshd: bad configuration" >&2; exit 255' });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("sshd refused the client-alive settings; left sshd as it was");
    expect(existsSync(join(root, 'fs', CLIENT_ALIVE_DROP_IN))).toBe(false);
    expect(result.systemctl).toEqual(['systemctl daemon-reload', 'systemctl enable --now cloudrig-idle.timer']);
    expect(existsSync(join(root, 'fs', 'usr/local/sbin/cloudrig-idle-check'))).toBe(true);
  });
});
