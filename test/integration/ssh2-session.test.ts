import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../fixtures/sshd.js';
import { Ssh2Session } from '../../src/adapters/ssh/ssh2-session.js';
import { readPins } from '../../src/adapters/ssh/known-hosts.js';
import type { SshTarget } from '../../src/core/ports.js';

// The kept-alive session under tunnels, file copies and stats, against a real sshd: one connection
// for many uses, a new one on the next use after it dropped, and the pinned host key on every one.

const run = promisify(execFile);
let sshd: Sshd;
let dir: string;
let target: SshTarget;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cloudrig-session-'));
  const keyPath = join(dir, 'id_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
  sshd = await startSshd({ authorizedKey: await readFile(`${keyPath}.pub`, 'utf8') });
  target = { host: sshd.host, port: sshd.port, user: sshd.user, keyPath, knownHostsPath: join(dir, 'known_hosts'), workstation: 'gpu', instanceId: 'i-0abc' };
});

afterAll(async () => {
  await sshd?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the kept-alive ssh session', () => {
  it('runs many commands and opens sftp over one connection, pinning the host key of the first', async () => {
    const session = new Ssh2Session(target);
    try {
      const first = await session.client();
      expect((await session.exec('echo one', 10_000)).stdout).toBe('one\n');
      expect((await session.exec('echo two; exit 3', 10_000))).toEqual({ code: 3, stdout: 'two\n', stderr: '' });
      await session.sftp();
      expect(await session.client()).toBe(first);
      const pins = await readPins(target.knownHostsPath);
      expect(pins?.entries.map((e) => e.key)).toEqual([await sshd.hostPublicKey()]);
    } finally {
      await session.close();
    }
  });

  it('connects again on the next use after the connection dropped', async () => {
    const session = new Ssh2Session(target);
    try {
      const first = await session.client();
      const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
      first.end();
      await closed;
      expect((await session.exec('echo back', 10_000)).stdout).toBe('back\n');
      expect(await session.client()).not.toBe(first);
    } finally {
      await session.close();
    }
  });

  it('refuses a host that presents another key, naming the workstation and its instance', async () => {
    await sshd.rotateHostKey();
    const session = new Ssh2Session(target);
    try {
      await expect(session.exec('echo reached', 10_000)).rejects.toMatchObject({
        code: 'HostKeyMismatch',
        message: expect.stringContaining(`The ssh host key of workstation gpu (instance i-0abc at 127.0.0.1:${sshd.port}) is not the key pinned for it`),
      });
      // Refused again on the next use: a mismatch is never taken on trust later.
      await expect(session.forwardOut('localhost', 22)).rejects.toMatchObject({ code: 'HostKeyMismatch' });
    } finally {
      await session.close();
    }
  });
});
