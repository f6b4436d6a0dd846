import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { initArgs, lastLine, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ hold: { pendingMs: 1_500, stoppingMs: 1_500, shuttingDownMs: 500 } });
const statusJson = () => world.statusJson();

describe('rig: a workstation from init to down, through the CLI', () => {
  it('init creates the key pair and a security group admitting only my IP, and a second init creates nothing', async () => {
    const first = await world.rig(initArgs(world));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Created: key-pair, security-group.');
    expect(first.stdout).toContain('ssh from 203.0.113.7/32');

    const key = await stat(join(world.home, 'keys', 'cloudrig-gpu.pem'));
    expect(key.mode & 0o777).toBe(0o600);

    const ec2 = world.ec2();
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    const ingress = groups.SecurityGroups?.[0]?.IpPermissions ?? [];
    expect(ingress.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, (p.IpRanges ?? []).map((r) => r.CidrIp)]))
      .toEqual([['tcp', 22, 22, ['203.0.113.7/32']]]);

    const second = await world.rig(initArgs(world));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Nothing new to create.');
    // The key is made here and imported: no private key ever crosses the wire.
    expect(world.cloud.proxy.counts().ImportKeyPair).toBe(1);
    expect(world.cloud.proxy.counts().CreateKeyPair ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().CreateSecurityGroup).toBe(1);

    // Changing the CIDR replaces the rule: still exactly one range on port 22.
    const moved = await world.rig(initArgs(world, ['--cidr', '198.51.100.0/24']));
    expect(moved.code, moved.stderr).toBe(0);
    const after = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    expect((after.SecurityGroups?.[0]?.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp)))
      .toEqual(['198.51.100.0/24']);
    ec2.destroy();
    await world.trustWorkstationKey();
  });

  it('status before any launch says absent with a null instance', async () => {
    const status = await statusJson();
    expect(status).toMatchObject({ name: 'gpu', region: 'us-east-1', instanceId: null, state: 'absent', instanceType: 'g4dn.xlarge' });
  });

  let firstInstance = '';
  it('up launches, prints each step, and ends with the ssh command once ssh answers', async () => {
    const up = await world.rig(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/Requesting a g4dn\.xlarge instance/);
    expect(up.stderr).toMatch(/Waiting for ssh/);
    expect(lastLine(up.stdout)).toMatch(new RegExp(`^ssh -i .*cloudrig-gpu\\.pem .* -p ${world.sshd.port} ${world.sshd.user}@127\\.0\\.0\\.1$`));
    const status = await statusJson();
    expect(status.state).toBe('running');
    expect(status.phase).toBe('ready');
    expect(status.sshCommand).toBe(lastLine(up.stdout));
    firstInstance = String(status.instanceId);
    expect(firstInstance).toMatch(/^i-/);
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
  });

  it('rig ssh runs a command on the workstation and passes its exit code through', async () => {
    const echo = await world.rig(['ssh', '--', 'echo', 'hello-from-rig']);
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout.trim()).toBe('hello-from-rig');
    const failing = await world.rig(['ssh', '--', "sh -c 'exit 3'"]);
    expect(failing.code).toBe(3);
    const command = await world.rig(['ssh-command']);
    expect(command.stdout.trim()).toBe((await statusJson()).sshCommand);
  });

  it('stop returns once stopped; up then starts the same instance instead of launching', async () => {
    const stop = await world.rig(['stop']);
    expect(stop.code, stop.stderr).toBe(0);
    expect((await statusJson()).state).toBe('stopped');

    const up = await world.rig(['up']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain(`Starting ${firstInstance}`);
    const status = await statusJson();
    expect(status).toMatchObject({ instanceId: firstInstance, state: 'running', phase: 'ready' });
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
    expect(world.cloud.proxy.counts().StartInstances).toBe(1);
  });

  it('down refuses without --yes when there is no terminal to ask', async () => {
    const down = await world.rig(['down']);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/^error: Refusing to terminate gpu without confirmation.*Fix: Pass --yes/m);
    expect((await statusJson()).state).toBe('running');
  });

  it('down --save-image does not terminate when the image cannot be confirmed available', async () => {
    // The first DescribeImages (is there an image of this instance already?) answers; every later one fails.
    world.cloud.proxy.inject({ action: 'DescribeImages', kind: 'error', code: 'InternalError', message: 'boom', status: 400, times: Infinity, after: 1 });
    const down = await world.rig(['down', '--save-image', '--yes']);
    world.cloud.proxy.clearFaults();
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/^error: Image ami-\w+ was requested but is not confirmed available, so i-\w+ was not terminated.*Fix: .*rig images rm ami-/m);
    expect(world.cloud.proxy.counts().TerminateInstances ?? 0).toBe(0);
    expect((await statusJson()).state).toBe('running');
  });

  it('down --save-image saves an available image, then terminates', async () => {
    const down = await world.rig(['down', '--save-image', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    const imageId = /Saved image: (ami-[0-9a-f]+)/.exec(down.stdout)?.[1];
    expect(imageId).toBeDefined();
    const ec2 = world.ec2();
    const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId!] }))).Images?.[0];
    ec2.destroy();
    expect(image?.State).toBe('available');
    expect(image?.Tags).toEqual(expect.arrayContaining([{ Key: 'cloudrig:workstation', Value: 'gpu' }]));
    expect((await statusJson()).state).toBe('absent');
    const stateOf = (await world.instances()).find((i) => i.InstanceId === firstInstance)?.State?.Name;
    expect(stateOf).toBe('terminated');

    // The image the failed attempt above left behind (and named in its error) is reused, not made again.
    expect(down.stderr).toMatch(new RegExp(`Reusing image ${imageId} \\((pending|available)\\) already saved from ${firstInstance}`));
    expect(world.cloud.proxy.counts().CreateImage).toBe(1);
    const images = await world.rig(['images', '--json']);
    const listed = JSON.parse(images.stdout) as { imageId: string; state: string }[];
    expect(listed).toHaveLength(1);
    expect(listed).toEqual(expect.arrayContaining([expect.objectContaining({ imageId, state: 'available' })]));
  });

  it('the next up launches from the saved image', async () => {
    const images = JSON.parse((await world.rig(['images', '--json'])).stdout) as { imageId: string }[];
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/from (ami-\w+) \(saved\)/);
    expect(images.map((i) => i.imageId)).toContain(/from (ami-\w+) \(saved\)/.exec(up.stderr)?.[1]);
    const down = await world.rig(['down', '--yes']);
    expect(down.code, down.stderr).toBe(0);
  });

  it('images rm deregisters the images and deletes their snapshots', async () => {
    const images = JSON.parse((await world.rig(['images', '--json'])).stdout) as { imageId: string; snapshotIds: string[] }[];
    expect(images).toHaveLength(1);
    for (const image of images) {
      const rm = await world.rig(['images', 'rm', image.imageId, '--yes']);
      expect(rm.code, rm.stderr).toBe(0);
    }
    expect(JSON.parse((await world.rig(['images', '--json'])).stdout)).toEqual([]);
    expect(world.cloud.proxy.counts().DeleteSnapshot).toBe(images.flatMap((i) => i.snapshotIds).length);
    expect(world.cloud.proxy.counts().DeregisterImage).toBe(1);
  });

  it('images rm refuses an image that is not this workstation\'s', async () => {
    const rm = await world.rig(['images', 'rm', 'ami-dca37ea5', '--yes']);
    expect(rm.code).not.toBe(0);
    expect(rm.stderr).toMatch(/^error: ami-dca37ea5 is not an image of workstation gpu\. Fix: List them with `rig images gpu`\.$/m);
  });
});
