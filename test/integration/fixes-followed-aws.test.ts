import { DeleteKeyPairCommand, DescribeImagesCommand, DescribeKeyPairsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { followed, fixCommand, onTerminal } from '../support/followed-fix.js';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Each error's `Fix:` followed exactly as printed, for what AWS takes away under a command: the
// first runnable `rig …` command is taken out of the error line and run, and the failed command
// then gets further. Against moto + the cloud proxy + sshd, through the CLI.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

function ok(result: RigResult): RigResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** The key pairs moto holds, by name. */
async function keyPairs(): Promise<string[]> {
  const ec2 = world.ec2();
  try {
    return ((await ec2.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).map((k) => k.KeyName ?? '');
  } finally {
    ec2.destroy();
  }
}

/** This account's images, by id, with their state as EC2 reports it. */
async function images(): Promise<Record<string, string>> {
  const ec2 = world.ec2();
  try {
    return Object.fromEntries(((await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? []).map((i) => [i.ImageId ?? '', i.State ?? '']));
  } finally {
    ec2.destroy();
  }
}

describe('a fix followed as printed gets the command further (AWS changed underneath)', () => {
  it(followed('InvalidKeyPair.NotFound', 'the key pair deleted in AWS while rig up launched: the printed rig init makes it again, and rig up launches'), async () => {
    ok(await world.rig(initArgs(world)));
    // Another tool deletes the key pair after rig up checked it: RunInstances answers as AWS then does
    // (moto does not check the key name), and the key pair is gone from AWS by the time the user looks.
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'InvalidKeyPair.NotFound', message: "The key pair 'cloudrig-gpu' does not exist" });
    const up = world.rig(['up', '--no-wait-ssh']);
    const ec2 = world.ec2();
    await waitUntil('rig up to send RunInstances', () => (world.cloud.proxy.counts().RunInstances ?? 0) >= 1);
    await ec2.send(new DeleteKeyPairCommand({ KeyName: 'cloudrig-gpu' }));
    ec2.destroy();
    const failedUp = await up;
    expect(failedUp.code, failedUp.stdout).toBe(1);
    expect(failedUp.stderr).toMatch(/^error: The key pair for this workstation is missing in us-east-1\./m);
    const fix = fixCommand(failedUp.stderr);
    expect(fix[0]).toBe('init');
    ok(await world.rig(fix));
    expect(await keyPairs()).toEqual(['cloudrig-gpu']);
    await world.trustWorkstationKey();
    ok(await world.rig(['up']));
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'ready' });
  });

  it(followed('ImageFailed', 'the image of rig down --save-image ends failed: the printed down --save-image, on a terminal, saves a good one and terminates'), async () => {
    ok(await world.rig(initArgs(world)));
    ok(await world.rig(['up', '--no-wait-ssh']));
    const { instanceId } = await world.statusJson();
    world.cloud.proxy.setImagesFail(true);
    const down = await world.rig(['down', '--save-image', '--yes']);
    expect(down.code, down.stdout).toBe(1);
    expect(down.stderr).toMatch(/^error: Image ami-\w+ ended failed, so CloudRig deleted it; the instance was not terminated\. .*is running and billed by the hour.* Fix: Try `rig down --save-image` again/m);
    expect(await world.statusJson()).toMatchObject({ instanceId, state: 'running' });
    // AWS snapshots the volume this time.
    world.cloud.proxy.setImagesFail(false);
    const fix = fixCommand(down.stderr);
    expect(fix).toEqual(['down', '--save-image']);
    const again = await onTerminal(world, fix, ['y']);
    expect(again.code, again.output).toBe(0);
    const saved = /Saved image: (ami-\w+)/.exec(again.output)?.[1];
    expect(saved).toBeDefined();
    expect(await images()).toEqual({ [saved!]: 'available' });
    expect(await world.statusJson()).toMatchObject({ state: 'absent' });
  });

  it(followed('LaunchFailed', 'RunInstances answered without its instance: the printed rig status finds the instance by its tags, and the printed rig up goes on with it, launching no second one'), async () => {
    ok(await world.rig(initArgs(world)));
    await world.trustWorkstationKey();
    world.cloud.proxy.resetCounts();
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'no-instance' });
    const up = await world.rig(['up']);
    expect(up.code, up.stdout).toBe(1);
    expect(up.stderr).toMatch(/^error: AWS accepted the launch but returned no instance; one may be running, billed by the hour\. Fix: Run `rig status` .* or `rig down` to end it\.$/m);
    const launched = (await world.instances()).filter((i) => i.State?.Name !== 'terminated');
    expect(launched).toHaveLength(1);
    const status = fixCommand(up.stderr);
    expect(status).toEqual(['status']);
    expect(ok(await world.rig(status)).stdout).toContain(launched[0]!.InstanceId!);
    const again = fixCommand(up.stderr, 1);
    expect(again).toEqual(['up']);
    ok(await world.rig(again));
    expect(await world.statusJson()).toMatchObject({ instanceId: launched[0]!.InstanceId, state: 'running', phase: 'ready' });
    expect(world.cloud.proxy.applied().RunInstances).toBe(1);
  });

  it(followed('NoAddress', 'rig stats while the instance has no public address: the printed rig status shows it running without one, and once EC2 gives one rig stats reads the box'), async () => {
    // No --ssh-host: ssh goes to the address EC2 reports (the proxy reports none, then the sshd's).
    world.cloud.proxy.setPublicAddress(null);
    ok(await world.rig(['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]));
    await world.trustWorkstationKey();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const stats = await world.rig(['stats']);
    expect(stats.code, stats.stdout).toBe(1);
    expect(stats.stderr).toMatch(/^error: Workstation gpu runs but has no public address yet\./m);
    const fix = fixCommand(stats.stderr);
    expect(fix).toEqual(['status', 'gpu']);
    const status = ok(await world.rig(fix));
    expect(status.stdout).toMatch(/running/);
    expect(status.stdout).not.toMatch(/^ssh /m);

    world.cloud.proxy.setPublicAddress(world.sshd.host);
    const again = ok(await world.rig(['stats']));
    expect(again.stdout).toMatch(/^gpu at \d\d:\d\d:\d\d UTC$/m);
  });
});
