import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { Ssh2Session } from '../../src/adapters/ssh/ssh2-session.js';
import type { SshTarget } from '../../src/core/ports.js';
import { startSshd, type Sshd } from '../fixtures/sshd.js';
import { waitUntil } from '../support/wait-until.js';

// A kept session whose connection died while the laptop slept keeps its TCP connection open and
// hears nothing: only the keepalive would notice, after three unanswered intervals. checkNow() (the
// app calls it on resume, screen unlock and the network coming back) makes it prove itself at once.
// The box "asleep" is real: the sshd processes serving this connection are stopped (SIGSTOP), so
// the socket stays open and nothing answers. The sessions here keep alive only every ten minutes:
// within the test nothing but checkNow() can notice.

const KEEPALIVE_MS = 600_000;

let sshd: Sshd | undefined;
let dir = '';
let stopped: number[] = [];
afterEach(async () => {
  for (const pid of stopped) process.kill(pid, 'SIGCONT');
  stopped = [];
  await sshd?.close();
  sshd = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function box(): Promise<SshTarget> {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-check-'));
  const keys = utils.generateKeyPairSync('ed25519');
  const keyPath = join(dir, 'key');
  await writeFile(keyPath, keys.private, { mode: 0o600 });
  sshd = await startSshd({ authorizedKey: keys.public, followLaunches: false });
  return { host: sshd.host, port: sshd.port, user: sshd.user, keyPath, knownHostsPath: join(dir, 'known_hosts') };
}

/** The inodes of the established TCP sockets whose local port is `port` (/proc/net/tcp: the server side of its connections). */
async function establishedOn(port: number): Promise<Set<string>> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const rows = (await readFile('/proc/net/tcp', 'utf8')).split('\n').slice(1).map((line) => line.trim().split(/\s+/));
  // local_address is ADDR:PORT in hex; state 01 is ESTABLISHED; the inode is the tenth field.
  return new Set(rows.filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '01').map((f) => f[9] ?? ''));
}

/** Stops every process holding an established connection on this sshd's port: the box stops answering, its sockets stay open. */
async function freezeConnections(port: number): Promise<void> {
  const inodes = await establishedOn(port);
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${entry}/fd/${fd}`).catch(() => '')));
    if (links.some((link) => inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1] ?? ''))) pids.push(Number(entry));
  }
  expect(pids.length, 'the connection is served by sshd processes').toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  stopped.push(...pids);
}

describe("a kept session's check", () => {
  it('drops at once a connection whose box stopped answering, and the next use reconnects', async () => {
    const target = await box();
    let dropped = 0;
    const session = new Ssh2Session(target, { keepaliveMs: KEEPALIVE_MS, onDropped: () => void dropped++ });
    try {
      expect((await session.exec('echo up', 10_000)).stdout.trim()).toBe('up');
      await freezeConnections(target.port);
      await session.checkNow(2_000);
      await waitUntil('the dead connection dropped', () => dropped === 1, 20_000);
      // The next use connects afresh: a second login, answered by the sshd that still listens.
      expect((await session.exec('echo back', 10_000)).stdout.trim()).toBe('back');
      expect(sshd!.logins()).toHaveLength(2);
    } finally {
      await session.close();
    }
  });

  it('keeps a connection that answers: no drop, no second login', async () => {
    const target = await box();
    let dropped = 0;
    const session = new Ssh2Session(target, { keepaliveMs: KEEPALIVE_MS, onDropped: () => void dropped++ });
    try {
      await session.exec('true', 10_000);
      await session.checkNow(2_000);
      expect((await session.exec('echo still', 10_000)).stdout.trim()).toBe('still');
      expect(dropped).toBe(0);
      expect(sshd!.logins()).toHaveLength(1);
    } finally {
      await session.close();
    }
  });

  it('does nothing without a live connection: it does not connect', async () => {
    const target = await box();
    const session = new Ssh2Session(target, { keepaliveMs: KEEPALIVE_MS });
    try {
      await session.checkNow(2_000);
      expect(sshd!.logins()).toHaveLength(0);
    } finally {
      await session.close();
    }
  });
});
