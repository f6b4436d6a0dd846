import { exec } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTagsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { DerivedHostKeys } from '../../src/adapters/ssh/derived-host-keys.js';
import { FileKeyStore } from '../../src/adapters/store/key-store.js';
import { hostKeyCloudConfig } from '../../src/core/host-keys.js';
import { useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Two laptops launching the same workstation at once must end with one instance and a host key each
// can trust. The laptop whose launch came second terminates its own instance and backs off to the
// other laptop's. Its home still pins the host key of the duplicate it terminated. Both laptops
// hold the workstation's private key, and EC2 reports the keeper's ClientToken, so the loser
// derives the key the keeper's launch seeded and pins it; when that key is not the keeper's, the
// loser's `rig up` ends at once with the command that recovers, which works when pasted. Through
// the built `rig` against moto + the cloud proxy + a real sshd that takes the host key each launch
// seeds, as the launched instance would.

// Both instances stay pending for a while, so the loser finds the keeper before either runs.
const world = useRigWorld({ hold: { pendingMs: 6_000, stoppingMs: 500, shuttingDownMs: 500 }, eachTest: { init: true } });

const run = promisify(exec);

/**
 * The other laptop's launch of gpu, made before this laptop's and tagged as gpu's only once this
 * laptop's `rig up` waits for its own (as EC2's listing can lag a launch). With `seeded`, it carries
 * the host key CloudRig derives for its ClientToken, as the other laptop's `rig up` would send.
 */
async function otherLaptopLaunch(seeded: boolean): Promise<{ instanceId: string; clientToken: string; privateHostKey: string | null; tag: () => Promise<void> }> {
  const clientToken = randomUUID();
  const key = seeded ? await new DerivedHostKeys(new FileKeyStore(world.home)).forLaunch('gpu', clientToken) : null;
  const ec2 = world.ec2();
  const out = await ec2.send(new RunInstancesCommand({
    ImageId: 'ami-dca37ea5', MinCount: 1, MaxCount: 1, InstanceType: 'g4dn.xlarge', ClientToken: clientToken,
    ...(key ? { UserData: Buffer.from(hostKeyCloudConfig(key)).toString('base64') } : {}),
  }));
  const instance = out.Instances![0]!;
  // A second or more older than this laptop's launch, so every process agrees it is the keeper.
  await waitUntil('a second past the other launch', () => Date.now() >= instance.LaunchTime!.getTime() + 1_000);
  return {
    instanceId: instance.InstanceId!,
    clientToken,
    privateHostKey: key?.privateKey ?? null,
    tag: async () => {
      await ec2.send(new CreateTagsCommand({ Resources: [instance.InstanceId!], Tags: [{ Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' }] }));
      ec2.destroy();
    },
  };
}

/**
 * This laptop's `rig up` launches its own gpu instance (pinning its seeded key), then the other
 * laptop's older launch is listed as gpu's while it waits; `boxKey` is the key the keeper's box then
 * answers with. Returns the finished run.
 */
async function loseTheRace(keeper: Awaited<ReturnType<typeof otherLaptopLaunch>>, boxKey: () => Promise<void>): Promise<{ code: number | null; output: string }> {
  const up = world.spawnRig(['up', '--timeout', '60']);
  const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
  await waitUntil('rig waiting for its own instance', () => up.output().includes('Waiting for the instance to run'));
  // This laptop's own launch pinned its seeded key (and the sshd took it); the box that stays is the other laptop's.
  expect(await readFile(join(world.home, 'known_hosts', 'gpu'), 'utf8')).not.toContain(keeper.instanceId);
  await boxKey();
  await keeper.tag();
  const code = await exited;
  return { code, output: up.output() };
}

describe('the laptop that lost a launch race', () => {
  it('pins the keeper\'s derived host key in place of its terminated duplicate\'s, and its rig up ends ready', async () => {
    const keeper = await otherLaptopLaunch(true);
    const { code, output } = await loseTheRace(keeper, () => world.sshd.useHostKey(keeper.privateHostKey!));

    expect(output).toMatch(new RegExp(`Another launch of gpu came first \\(${keeper.instanceId}\\); terminating i-`));
    expect(code, output).toBe(0);
    expect(output).toContain(`✔ ${keeper.instanceId} is running and ssh answers`);
    const pin = await readFile(join(world.home, 'known_hosts', 'gpu'), 'utf8');
    expect(pin).toContain(`instance=${keeper.instanceId} trust=verified`);
    expect(pin).toContain(await world.sshd.hostPublicKey());
    const status = await world.statusJson();
    expect(status).toMatchObject({ instanceId: keeper.instanceId, phase: 'ready' });
  }, 120_000);

  it('whose keeper\'s key cannot be derived ends at once with a recovery command that works when pasted, not after the timeout', async () => {
    // The other laptop launched without a seeded key (an image without cloud-init): its box has a key of its own.
    const keeper = await otherLaptopLaunch(false);
    const { code, output } = await loseTheRace(keeper, () => world.sshd.rotateHostKey());

    expect(code, output).toBe(1);
    const line = output.trim().split('\n').at(-1)!;
    expect(line).toMatch(new RegExp(`^error: The ssh host key of workstation gpu \\(instance ${keeper.instanceId} at 127\\.0\\.0\\.1:\\d+\\) is not the key pinned for it; .* Fix: `));
    // Not the timeout, and not the address.
    expect(output).not.toMatch(/Timed out|did not answer|no longer be admitted/i);
    const recovery = /forget the old key with `([^`]+)`/.exec(line)?.[1];
    expect(recovery, line).toBeDefined();

    await run(recovery!, { env: process.env });
    const again = await world.rig(['up']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`✔ ${keeper.instanceId} is running and ssh answers`);
  }, 120_000);
});

describe('a laptop whose pin is of an instance another laptop replaced', () => {
  it('connects to the new instance on its derived key, pinned as verified, instead of waiting until the timeout', async () => {
    const first = await world.rig(['up']);
    expect(first.code, first.stderr).toBe(0);
    const old = String((await world.statusJson()).instanceId);
    // The other laptop: a copy of this home (same settings, same private key) that replaces the instance.
    const other = await mkdtemp(join(tmpdir(), 'cloudrig-home-b-'));
    try {
      await cp(world.home, other, { recursive: true });
      const down = await world.rig(['down', '--yes'], { env: { CLOUDRIG_HOME: other } });
      expect(down.code, down.stderr).toBe(0);
      const up = await world.rig(['up'], { env: { CLOUDRIG_HOME: other } });
      expect(up.code, up.stderr).toBe(0);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
    expect(await readFile(join(world.home, 'known_hosts', 'gpu'), 'utf8')).toContain(`instance=${old} trust=verified`);

    const again = await world.rig(['up', '--timeout', '60']);
    expect(again.code, again.stderr).toBe(0);
    const status = await world.statusJson();
    expect(status.instanceId).not.toBe(old);
    expect(status).toMatchObject({ phase: 'ready' });
    expect(again.stderr).toContain(`✔ ${String(status.instanceId)} is running and ssh answers`);
    const pin = await readFile(join(world.home, 'known_hosts', 'gpu'), 'utf8');
    expect(pin).toContain(`instance=${String(status.instanceId)} trust=verified`);
    expect(pin).toContain(await world.sshd.hostPublicKey());
  }, 120_000);
});
