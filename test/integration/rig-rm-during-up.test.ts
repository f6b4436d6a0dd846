import { DescribeKeyPairsCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// `rig rm` and a `rig up` of the same workstation in another process, through `rig` against moto +
// the cloud proxy: the proxy holds the launch's RunInstances, so the removal comes while `rig up`
// holds the launch lock with its key pair and security group made and an instance on the way.
const world = useRigWorld({ eachTest: { init: false } });

/** The key pairs and security groups moto holds, by name. */
async function awsResources(): Promise<{ keyPairs: string[]; groups: string[] }> {
  const client = world.ec2();
  try {
    return {
      keyPairs: ((await client.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).map((k) => k.KeyName ?? '').sort(),
      groups: ((await client.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).map((g) => g.GroupName ?? '').filter((n) => n !== 'default').sort(),
    };
  } finally {
    client.destroy();
  }
}

describe('rig rm while rig up of the same workstation is launching', () => {
  it('is refused with one line and a fix; the launch finishes and its instance belongs to a workstation that still exists', async () => {
    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);
    world.cloud.proxy.resetCounts();
    // Held until clearFaults(): `rig up` sits inside its launch lock with the request in flight.
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'stall' });
    const up = world.rig(['up', '--no-wait-ssh'], { process: true });
    await waitUntil('rig up to send RunInstances', () => (world.cloud.proxy.counts().RunInstances ?? 0) >= 1);

    const rm = await world.rig(['rm', 'gpu', '--terminate', '--delete-images', '--yes']);
    expect(rm.code, rm.stdout).toBe(1);
    expect(rm.stderr).toBe('error: Workstation gpu is being started or launched by another CloudRig process; nothing was removed. Fix: Wait for it to finish (or end it), then try again.\n');
    expect(rm.stdout).toBe('');

    world.cloud.proxy.clearFaults();
    const launched = await up;
    expect(launched.code, launched.stderr).toBe(0);
    // Nothing orphaned: the one instance in AWS is the workstation's, which this home still knows and can end.
    const instances = (await world.instances()).filter((i) => i.State?.Name !== 'terminated');
    expect(instances).toHaveLength(1);
    expect(await world.statusJson()).toMatchObject({ name: 'gpu', instanceId: instances[0]!.InstanceId, state: 'running' });
    expect(await awsResources()).toEqual({ keyPairs: ['cloudrig-gpu'], groups: ['cloudrig-gpu'] });

    // Once the launch is done, the same removal (told to terminate) goes through.
    const again = await world.rig(['rm', 'gpu', '--terminate', '--delete-images', '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect((await world.instances()).filter((i) => i.State?.Name !== 'terminated')).toEqual([]);
    expect(await awsResources()).toEqual({ keyPairs: [], groups: [] });
  });

  it('a rig up that waited for the lock while rm removed the workstation stops there: no key pair, group or instance is made again', async () => {
    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);
    // rm holds the lock, stopped at its key pair until clearFaults().
    world.cloud.proxy.inject({ action: 'DeleteKeyPair', kind: 'stall' });
    const rm = world.rig(['rm', 'gpu', '--yes'], { process: true });
    await waitUntil('rig rm to delete the key pair', () => (world.cloud.proxy.counts().DeleteKeyPair ?? 0) >= 1);

    // A start of the same workstation, with the real lock watched so the test knows it waits there.
    const core = world.core();
    const lock = core.locks.withLock.bind(core.locks);
    let waiting = false;
    Object.assign(core.locks, { withLock: (...args: Parameters<typeof lock>) => ((waiting = true), lock(...args)) });
    const up = core.service.up('gpu', { waitSsh: false }).then(() => null, (error: unknown) => error as Error);
    await waitUntil('rig up to wait for the lock', () => waiting);
    world.cloud.proxy.clearFaults();
    expect((await rm).code).toBe(0);

    expect((await up)?.message).toMatch(/^There is no workstation gpu\./);
    expect((await world.instances()).filter((i) => i.State?.Name !== 'terminated')).toEqual([]);
    expect(await awsResources()).toEqual({ keyPairs: [], groups: [] });
  });
});
