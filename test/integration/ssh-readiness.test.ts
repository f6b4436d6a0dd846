import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { readSshBanner, TcpBannerProbe } from '../../src/adapters/ssh/banner-probe.js';
import type { SshTarget } from '../../src/core/ports.js';
import { freePort } from '../fixtures/free-port.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The cheap readiness check (TCP connect + SSH banner) and when the core may use it instead of a
// full ssh2 handshake: only on a run whose key a full probe saw accepted, in any process.

const world = useRigWorld({ eachTest: { init: false } });
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A loopback TCP server that greets every connection with `greeting`; counts connections. */
async function greeter(greeting: string): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    connections++;
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.end(greeting);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, connections: () => connections };
}

function targetAt(port: number): SshTarget {
  return { host: '127.0.0.1', port, user: 'nobody', keyPath: '/nonexistent', knownHostsPath: '/nonexistent' };
}

/** A fresh ed25519 key in OpenSSH's authorized_keys form, that CloudRig's key is not. */
function someoneElsesKey(): string {
  return utils.generateKeyPairSync('ed25519').public;
}

describe('the SSH banner probe', () => {
  it('says a real sshd answers, and says why when nothing listens or the server speaks something else', async () => {
    expect(await readSshBanner(world.sshd.host, world.sshd.port, 3_000)).toEqual({ ok: true });

    const refused = await readSshBanner('127.0.0.1', await freePort(), 3_000);
    expect(refused).toMatchObject({ ok: false, reason: expect.stringContaining('ECONNREFUSED') });

    const http = await greeter('HTTP/1.1 400 Bad Request\r\n\r\n');
    expect(await readSshBanner('127.0.0.1', http.port, 3_000)).toEqual({ ok: false, reason: 'the connection closed before the SSH banner' });
  });

  it('hands a banner read started early to the next probe of that address only, once', async () => {
    const early = await greeter('SSH-2.0-OpenSSH_9.2\r\n');
    const other = await greeter('SSH-2.0-OpenSSH_9.2\r\n');
    const probe = new TcpBannerProbe();
    probe.prefetch('127.0.0.1', early.port, 3_000);
    await expect.poll(early.connections).toBe(1);

    expect(await probe.probe(targetAt(other.port), 3_000)).toEqual({ ok: true });
    expect(other.connections()).toBe(1);
    expect(await probe.probe(targetAt(early.port), 3_000)).toEqual({ ok: true });
    expect(early.connections()).toBe(1);
    // Taken once: the next probe connects again.
    expect(await probe.probe(targetAt(early.port), 3_000)).toEqual({ ok: true });
    expect(early.connections()).toBe(2);
  });
});

describe('readiness across processes', () => {
  it('trusts sshd\'s answer in a fresh `rig status` once `rig up` saw the key accepted on this run, and not before', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.sshd.setAuthorizedKey(someoneElsesKey());
    const waiting = await world.rig(['up', '--no-wait-ssh']);
    expect(waiting.code, waiting.stderr).toBe(0);
    // sshd answers but refuses CloudRig's key: without an accepted run, that is not ready.
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'running' });

    await world.trustWorkstationKey();
    expect(await world.statusJson()).toMatchObject({ phase: 'ready' });
    const record = JSON.parse(await readFile(join(world.home, 'state', 'ssh-accepted.json'), 'utf8')) as Record<string, { run: string }>;
    expect(record.gpu?.run).toMatch(/^i-[0-9a-f]+@/);

    // The key was accepted on this run: a new process checks only that sshd answers.
    await world.sshd.setAuthorizedKey(someoneElsesKey());
    expect(await world.statusJson()).toMatchObject({ phase: 'ready' });
    await world.sshd.stop();
    expect(await world.statusJson()).toMatchObject({ phase: 'running' });
    await world.sshd.start();
  });

  it('proves the key again with a full probe when the record names another run', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.trustWorkstationKey();
    expect((await world.rig(['up'])).code).toBe(0);
    const path = join(world.home, 'state', 'ssh-accepted.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, { run: string }>;
    await writeFile(path, JSON.stringify({ gpu: { ...record.gpu, run: 'i-0123456789abcdef0@2026-01-01T00:00:00.000Z' } }));

    await world.sshd.setAuthorizedKey(someoneElsesKey());
    expect(await world.statusJson()).toMatchObject({ phase: 'running' });
  });
});
