import { EventEmitter } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { PrefetchingSshClient } from '../../src/adapters/ssh/prefetching-ssh-client.js';
import { earlySshProbe } from '../../src/adapters/early-ssh-probe.js';
import type { Connection } from '../../src/adapters/ssh/ssh2-client.js';
import { lastAcceptedTarget } from '../../src/adapters/store/accepted-runs-file.js';
import type { ProbeResult, SshClient, SshTarget } from '../../src/core/ports.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { loginsDuring } from '../support/ssh-logins.js';
import { waitUntil } from '../support/wait-until.js';

// `rig status` starts its full ssh probe (pinned host key, then the workstation's key) of the last
// accepted run's target while its code loads; the answer counts only for that very target.

const world = useRigWorld({ eachTest: { init: false } });

/** A fresh ed25519 key in OpenSSH's authorized_keys form, that CloudRig's key is not. */
function someoneElsesKey(): string {
  return utils.generateKeyPairSync('ed25519').public;
}

/** Records the targets an early probe connects to; each connection answers as verified and can be ended. */
class CountingConnector {
  readonly connected: string[] = [];
  readonly connect = async (target: SshTarget): Promise<Connection> => {
    this.connected.push(`${target.host}:${target.port}`);
    const client = Object.assign(new EventEmitter(), { end: () => undefined });
    return { client, hostKey: 'verified', presentedKey: '' } as unknown as Connection;
  };
}

/** An SshClient that records the targets it probes and the commands it runs, answering ok. */
class FakeSshClient implements SshClient {
  readonly probed: string[] = [];
  readonly ran: string[] = [];
  async probe(target: SshTarget): Promise<ProbeResult> {
    this.probed.push(`${target.host}:${target.port}`);
    return { ok: true };
  }
  async exec(_target: SshTarget, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    this.ran.push(command);
    return { code: 0, stdout: '', stderr: '' };
  }
}

/** Launches the workstation on the sshd with its key trusted, and returns the target its accepted run recorded. */
async function readyAndAccepted(): Promise<SshTarget> {
  expect((await world.rig(initArgs(world))).code).toBe(0);
  await world.trustWorkstationKey();
  expect((await world.rig(['up'])).code).toBe(0);
  const accepted = lastAcceptedTarget(world.home);
  if (!accepted) throw new Error('no accepted run recorded');
  return accepted;
}

function target(port: number, extra: Partial<SshTarget> = {}): SshTarget {
  return { host: '127.0.0.1', port, user: 'ubuntu', keyPath: '/k', knownHostsPath: '/kh', workstation: 'gpu', instanceId: 'i-1', ...extra };
}

describe('a probe started early', () => {
  it('answers the next probe of exactly that target, once; any other target is probed afresh', async () => {
    const inner = new FakeSshClient();
    const early = new CountingConnector();
    const ssh = new PrefetchingSshClient(inner, Date.now, early.connect);
    ssh.prefetch(target(1), 3_000);
    expect(early.connected).toEqual(['127.0.0.1:1']);
    // Another instance behind the same address has its own pinned key: not the same probe.
    await ssh.probe(target(1, { instanceId: 'i-2' }), 3_000);
    expect(inner.probed).toEqual(['127.0.0.1:1']);
    ssh.prefetch(target(1), 3_000);
    expect(await ssh.probe(target(1), 3_000)).toEqual({ ok: true, hostKey: 'verified' });
    expect(inner.probed).toHaveLength(1);
    await ssh.probe(target(1), 3_000);
    expect(inner.probed).toHaveLength(2);
  });

  it('rig status starts one only for `status` with a recorded run, and it names the pinned instance', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.trustWorkstationKey();
    expect((await world.rig(['up'])).code).toBe(0);
    const env = { CLOUDRIG_HOME: world.home };
    expect(earlySshProbe(['up'], env)).toBeUndefined();
    expect(earlySshProbe(['status', 'other'], env)).toBeUndefined();
    expect(earlySshProbe(['--home', join(world.home, 'nowhere'), 'status'], env)).toBeUndefined();
    const early = earlySshProbe(['--home', world.home, 'status', '--json'], env);
    expect(early).toBeInstanceOf(PrefetchingSshClient);
    const record = JSON.parse(await readFile(join(world.home, 'state', 'ssh-accepted.json'), 'utf8')) as Record<string, { run: string; host: string; port: number }>;
    expect(record.gpu).toMatchObject({ run: expect.stringMatching(/^i-[0-9a-f]+@/), host: world.sshd.host, port: world.sshd.port });
  });

  it('answers the command it ran early for exactly that command and target, once; any other connects afresh', async () => {
    const accepted = await readyAndAccepted();

    const early = new PrefetchingSshClient();
    const same = await loginsDuring(world.sshd, accepted.keyPath, async () => {
      early.prefetch(accepted, 3_000, 'echo early');
      return [await early.probe(accepted, 3_000), await early.exec(accepted, 'echo early', 5_000)];
    });
    expect(same.result).toMatchObject([{ ok: true }, { code: 0, stdout: 'early\n' }]);
    // The probe and the command over one login.
    expect(same.logins).toBe(1);

    const other = new PrefetchingSshClient();
    const afresh = await loginsDuring(world.sshd, accepted.keyPath, async () => {
      other.prefetch(accepted, 3_000, 'echo early');
      await other.probe(accepted, 3_000);
      return [await other.exec(accepted, 'echo other', 5_000), await other.exec(accepted, 'echo early', 5_000)];
    });
    // Another command, and the early one asked a second time, each get their own connection.
    expect(afresh.result).toMatchObject([{ code: 0, stdout: 'other\n' }, { code: 0, stdout: 'early\n' }]);
    expect(afresh.logins).toBe(3);
  });

  it('an early command the box leaves hanging fails at its own deadline, without a second login that would hang too', async () => {
    const accepted = await readyAndAccepted();
    const ssh = new PrefetchingSshClient();
    const hung = await loginsDuring(world.sshd, accepted.keyPath, async () => {
      ssh.prefetch(accepted, 1_500, 'sleep 60');
      expect(await ssh.probe(accepted, 1_500)).toMatchObject({ ok: true });
      return ssh.exec(accepted, 'sleep 60', 30_000).then(() => null, (error: unknown) => error);
    });
    expect(hung.result).toMatchObject({ code: 'SshCommandTimeout' });
    expect(hung.logins).toBe(1);
  });

  it('an early command the box cut off is run again afresh', async () => {
    const accepted = await readyAndAccepted();
    const flag = join(world.home, 'box-restarted');
    // Early, it waits (nothing flagged yet); run again after the restart, it answers at once.
    const command = `test -e '${flag}' && echo fresh || sleep 60`;
    const ssh = new PrefetchingSshClient();
    const logins = world.sshd.logins().length;
    // A deadline far past the restart: the box must cut the command off before it times out (under
    // load a 3 s one could expire first, and a timed-out early answer is kept, not asked again).
    ssh.prefetch(accepted, 30_000, command);
    expect(await ssh.probe(accepted, 3_000)).toMatchObject({ ok: true });
    await waitUntil('the early login', () => world.sshd.logins().length > logins);
    // A restart ends every session sshd serves, as a rebooting box does.
    await world.sshd.stop();
    await writeFile(flag, '');
    await world.sshd.start();
    expect(await ssh.exec(accepted, command, 10_000)).toMatchObject({ code: 0, stdout: 'fresh\n' });
  });
});

describe('readiness across processes', () => {
  it('a fresh `rig status` still proves the key on an accepted run: a key sshd no longer takes is not ready', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.sshd.setAuthorizedKey(someoneElsesKey());
    const waiting = await world.rig(['up', '--no-wait-ssh']);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'running' });

    await world.trustWorkstationKey();
    expect(await world.statusJson()).toMatchObject({ phase: 'ready', hostKey: 'verified' });

    // Accepted on this run before; the early probe is a full one, so the refusal shows.
    await world.sshd.setAuthorizedKey(someoneElsesKey());
    expect(await world.statusJson()).toMatchObject({ phase: 'running' });
    await world.trustWorkstationKey();
    expect(await world.statusJson()).toMatchObject({ phase: 'ready' });
  });

  it('a record naming another run does not stand in for this one: the key is proven again', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await world.trustWorkstationKey();
    expect((await world.rig(['up'])).code).toBe(0);
    const path = join(world.home, 'state', 'ssh-accepted.json');
    const record = JSON.parse(await readFile(path, 'utf8')) as Record<string, { run: string }>;
    await writeFile(path, JSON.stringify({ gpu: { ...record.gpu, run: 'i-0123456789abcdef0@2026-01-01T00:00:00.000Z' } }));
    expect(await world.statusJson()).toMatchObject({ phase: 'ready' });
    await world.sshd.setAuthorizedKey(someoneElsesKey());
    expect(await world.statusJson()).toMatchObject({ phase: 'running' });
  });
});
