import { execFile } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { DerivedHostKeys } from '../../src/adapters/ssh/derived-host-keys.js';
import { FileKeyStore } from '../../src/adapters/store/key-store.js';
import { decodeUserData, seededPrivateKeyOf } from '../fixtures/instance-boot.js';
import { publicKeyFromPrivate } from '../fixtures/sshd.js';
import { useRigWorld, type RigResult } from '../support/rig-harness.js';

// The launch gives the instance its host key through cloud-init, so even the first connection is
// verified instead of trusting whatever key answers. Against moto + the cloud proxy + a real sshd
// and the system OpenSSH client. The sshd here does not follow launches by itself: the test plays
// cloud-init, reading the key from the user data moto stored for the instance and starting sshd
// with it.
const world = useRigWorld({ eachTest: { init: true }, followLaunches: false });

async function userDataOf(instanceId: string): Promise<string> {
  const ec2 = world.ec2();
  try {
    const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }));
    return decodeUserData(attribute.UserData?.Value ?? '');
  } finally {
    ec2.destroy();
  }
}

/** Launches without waiting for ssh (sshd is down, so no probe gets an answer) and returns the instance id. */
async function launch(): Promise<string> {
  await world.sshd.stop();
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  return String((await world.statusJson()).instanceId);
}

/** What cloud-init does with the user data: sshd gets the seeded host key. */
async function bootWithSeededKey(instanceId: string): Promise<string> {
  const seeded = seededPrivateKeyOf(await userDataOf(instanceId));
  expect(seeded).not.toBeNull();
  await world.sshd.useHostKey(seeded!);
  await world.sshd.start();
  return publicKeyFromPrivate(seeded!);
}

function knownHosts(): Promise<string> {
  return readFile(join(world.home, 'known_hosts', 'gpu'), 'utf8');
}

/** The system ssh through CloudRig's own ssh config file (`Host gpu`). */
function systemSsh(): Promise<RigResult> {
  return new Promise((resolve) => {
    execFile('/usr/bin/ssh', ['-F', join(world.home, 'ssh_config'), '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', 'gpu', 'echo', 'seeded-ok'], { timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

describe('host keys known before the first connection (seeded through cloud-init)', () => {
  it('the launch pins the seeded key before any probe; the instance answering with it is verified for ssh2 and the system ssh', async () => {
    const instanceId = await launch();
    // Pinned at launch, while sshd was still down: no connection was ever made.
    const pinned = await knownHosts();
    expect(pinned).toContain(`# cloudrig-pin instance=${instanceId} trust=verified`);
    const userData = await userDataOf(instanceId);
    expect(userData).toContain('Content-Type: multipart/mixed');
    expect(userData).toContain('Content-Type: text/cloud-config');
    expect(userData).toContain('cloudrig-idle-check');
    // The private host key is nowhere in the home (it lives in memory and the user data only).
    const secretLine = seededPrivateKeyOf(userData)!.split('\n')[3]!; // the seed's bytes, not the header all keys share
    expect(secretLine.length).toBeGreaterThan(40);
    for (const file of await readdir(world.home, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) expect(await readFile(join(file.parentPath, file.name), 'utf8'), file.name).not.toContain(secretLine);
    }
    const seededPublic = await bootWithSeededKey(instanceId);
    expect(pinned).toContain(`* ${seededPublic}\n`);
    expect(await world.sshd.hostPublicKey()).toBe(seededPublic);

    expect(await world.statusJson()).toMatchObject({ phase: 'ready', hostKey: 'verified' });
    const ssh = await world.rig(['ssh', '--', 'echo', 'seeded-ok']);
    expect(ssh.code, ssh.stderr).toBe(0);
    expect(ssh.stdout.trim()).toBe('seeded-ok');
    const system = await systemSsh();
    expect(system.code, system.stderr).toBe(0);
    expect(system.stdout.trim()).toBe('seeded-ok');
    // Only read: nothing was added to the pin on the way.
    expect(await knownHosts()).toBe(pinned);
  });

  it('a host answering with another key is refused by the ssh2 probe and exec, rig ssh and the system ssh, naming the instance', async () => {
    const instanceId = await launch();
    await world.sshd.start(); // its own key, not the seeded one: a man in the middle
    const pinned = await knownHosts();

    const status = await world.statusJson();
    expect(status).toMatchObject({ phase: 'running', error: { code: 'HostKeyMismatch' } });
    expect(String((status.error as { message: string }).message)).toContain(`instance ${instanceId}`);
    const core = world.core();
    const target = { host: world.sshd.host, port: world.sshd.port, user: world.sshd.user, keyPath: join(world.home, 'keys', 'cloudrig-gpu.pem'), knownHostsPath: join(world.home, 'known_hosts', 'gpu'), workstation: 'gpu', instanceId };
    await expect(core.ssh.probe(target, 5_000)).resolves.toMatchObject({ ok: false, problem: { code: 'HostKeyMismatch' } });
    await expect(core.ssh.exec(target, 'true', 5_000)).rejects.toMatchObject({ code: 'HostKeyMismatch' });
    const ssh = await world.rig(['ssh', '--', 'echo', 'reached']);
    expect(ssh.code).not.toBe(0);
    expect(ssh.stdout).not.toContain('reached');
    const system = await systemSsh();
    expect(system.code).toBe(255);
    expect(system.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    expect(await knownHosts()).toBe(pinned);
  });

  it('terminate drops the pin; an instance launched from the saved image gets its own key, pinned afresh', async () => {
    const first = await launch();
    const firstKey = await bootWithSeededKey(first);
    expect(await world.statusJson()).toMatchObject({ phase: 'ready', hostKey: 'verified' });

    const down = await world.rig(['down', '--save-image', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    await expect(stat(join(world.home, 'known_hosts', 'gpu'))).rejects.toMatchObject({ code: 'ENOENT' });

    const second = await launch();
    expect(second).not.toBe(first);
    const secondKey = await bootWithSeededKey(second);
    expect(secondKey).not.toBe(firstKey);
    const pinned = await knownHosts();
    expect(pinned).toContain(`instance=${second} trust=verified`);
    expect(pinned).toContain(secondKey);
    expect(pinned).not.toContain(firstKey);
    expect(await world.statusJson()).toMatchObject({ phase: 'ready', hostKey: 'verified' });
  });

  it('the key is derived per launch token: a retried launch sends the same key, another launch another; ssh-keygen reads it', async () => {
    const maker = new DerivedHostKeys(new FileKeyStore(world.home));
    const once = await maker.forLaunch('gpu', 'token-1');
    expect(await maker.forLaunch('gpu', 'token-1')).toEqual(once);
    expect((await maker.forLaunch('gpu', 'token-2')).publicKey).not.toBe(once.publicKey);
    // OpenSSH reads the private key cloud-init would write for sshd (a 0600 file, as there).
    const file = join(world.home, 'seeded-host-key');
    await writeFile(file, once.privateKey, { mode: 0o600 });
    const derived = await new Promise<string>((resolve, reject) => {
      execFile('ssh-keygen', ['-y', '-f', file], (error, stdout) => (error ? reject(error) : resolve(stdout.trim())));
    });
    expect(derived.split(' ').slice(0, 2).join(' ')).toBe(once.publicKey);
  });

  it('with seeding off (an image without cloud-init) no key travels in the user data and the first connection is labelled unverified', async () => {
    const core = world.core();
    core.settings.saveWorkstation({ ...core.service.spec('gpu'), seedHostKey: false });
    const instanceId = await launch();
    expect(await userDataOf(instanceId)).not.toContain('ssh_keys');
    await world.sshd.start();
    expect(await world.statusJson()).toMatchObject({ phase: 'ready', hostKey: 'unverified' });
  });
});
