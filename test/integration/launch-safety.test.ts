import { rm } from 'node:fs/promises';
import { RunInstancesCommand, CreateTagsCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ hold: { pendingMs: 1_500, stoppingMs: 1_000, shuttingDownMs: 500 }, eachTest: { init: true } });

/** Instances of the workstation that are not terminated. */
async function liveInstances(region = 'us-east-1') {
  return (await world.instances(region)).filter((i) => i.State?.Name !== 'terminated');
}

describe('never two billed instances', () => {
  it('two rig up at once launch one instance and both end on it', async () => {
    const [a, b] = await Promise.all([world.rig(['up', '--no-wait-ssh'], { process: true }), world.rig(['up', '--no-wait-ssh'], { process: true })]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const live = await liveInstances();
    expect(live).toHaveLength(1);
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
    // One launched it; the other waited for the lock and found it by its tags.
    expect([a.stderr, b.stderr].filter((e) => e.includes('Requesting a g4dn.xlarge'))).toHaveLength(1);
    expect([a.stderr, b.stderr].filter((e) => e.includes(`Found ${live[0]!.InstanceId}`))).toHaveLength(1);
  });

  it('a RunInstances answer lost after the launch was applied still yields one instance', async () => {
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'drop-after-apply', times: 1 });
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    // The SDK retried with the same ClientToken; EC2's idempotency answered with the first instance.
    expect(world.cloud.proxy.counts().RunInstances).toBe(2);
    expect(await liveInstances()).toHaveLength(1);
  });

  it('a rig up killed right after RunInstances, run again, waits for that same instance', async () => {
    world.cloud.proxy.setHold({ pendingMs: 4_000, stoppingMs: 1_000, shuttingDownMs: 500 });
    const first = world.spawnRig(['up']);
    const deadline = Date.now() + 30_000;
    while (!world.cloud.proxy.counts().RunInstances && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const [launched] = await liveInstances();
    expect(launched?.InstanceId).toMatch(/^i-/);

    const again = await world.rig(['up']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`Found ${launched!.InstanceId}`);
    expect(await liveInstances()).toHaveLength(1);
    const status = JSON.parse((await world.rig(['status', '--json'])).stdout) as { instanceId: string; phase: string };
    expect(status).toMatchObject({ instanceId: launched!.InstanceId, phase: 'ready' });
  });

  it('with local state deleted, up still finds the instance by its tags instead of launching', async () => {
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const { rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await rm(join(world.home, 'state'), { recursive: true, force: true });
    const again = await world.rig(['up', '--no-wait-ssh']);
    expect(again.code, again.stderr).toBe(0);
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
    expect(await liveInstances()).toHaveLength(1);
  });
});

describe('instances CloudRig did not create', () => {
  it('are listed by scan across regions but never stopped or terminated', async () => {
    const ec2 = world.ec2('eu-west-1');
    const foreign = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-dca37ea5', MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }));
    const foreignId = foreign.Instances![0]!.InstanceId!;
    // Only the workstation tag, not the managed one: still not CloudRig's.
    await ec2.send(new CreateTagsCommand({ Resources: [foreignId], Tags: [{ Key: 'cloudrig:workstation', Value: 'gpu' }] }));
    ec2.destroy();
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const [mine] = await liveInstances();

    const scan = await world.rig(['scan', '--json']);
    expect(scan.code, scan.stderr).toBe(0);
    const rows = JSON.parse(scan.stdout) as { region: string; instanceId: string; workstation: string | null; state: string; instanceType: string }[];
    expect(rows).toEqual(expect.arrayContaining([
      { region: 'eu-west-1', instanceId: foreignId, state: 'running', instanceType: 't3.micro', workstation: null },
      { region: 'us-east-1', instanceId: mine!.InstanceId, state: 'running', instanceType: 'g4dn.xlarge', workstation: 'gpu' },
    ]));
    expect(rows).toHaveLength(2);
    // The enabled regions are remembered, so the next scan starts every region at once.
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const cached = JSON.parse(await readFile(join(world.home, 'cache', 'regions.json'), 'utf8')) as { regions: string[] };
    expect(cached.regions).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1', 'ap-southeast-6']));
    const again = await world.rig(['scan', '--json']);
    expect(JSON.parse(again.stdout)).toEqual(rows);

    const gateway = world.core().cloud.gateway('eu-west-1');
    await expect(gateway.stopInstance(foreignId)).rejects.toMatchObject({ code: 'NotManaged' });
    await expect(gateway.terminateInstance(foreignId)).rejects.toMatchObject({ code: 'NotManaged' });
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().TerminateInstances ?? 0).toBe(0);
  });
});

describe('ssh stays open to me only', () => {
  it('a workstation set up with --cidr auto admits my new public IP at the next up, and only it', async () => {
    world.cloud.proxy.setMyIp('198.51.100.9');
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain("Your public IP changed: admitted 198.51.100.9/32 on ssh and revoked CloudRig's rule for 203.0.113.7/32.");
    const ec2 = world.ec2();
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    ec2.destroy();
    expect((groups.SecurityGroups?.[0]?.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp))).toEqual(['198.51.100.9/32']);
  });

  it('an explicit --cidr is kept as given at up', async () => {
    expect((await world.rig(initArgs(world, ['--cidr', '192.0.2.0/24']))).code).toBe(0);
    world.cloud.proxy.setMyIp('198.51.100.9');
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toContain('public IP changed');
    expect(world.cloud.proxy.counts().AuthorizeSecurityGroupIngress ?? 0).toBe(1); // the re-init only
  });
});

describe('when ssh never answers', () => {
  it('up gives up at --timeout saying the instance is billed and what to check, and running the fix\'s `rig up gpu` again carries on to ready', async () => {
    // Running first, so the short timeout below is spent waiting for ssh alone, however slow the launch.
    const running = await world.rig(['up', '--no-wait-ssh']);
    expect(running.code, running.stderr).toBe(0);
    await world.sshd.stop();
    try {
      const up = await world.rig(['up', '--timeout', '4']);
      expect(up.code).toBe(1);
      expect(up.stderr).toMatch(new RegExp(`^error: The instance runs, but ssh to ${world.sshd.user}@127\\.0\\.0\\.1:${world.sshd.port} did not answer: .*ECONNREFUSED.* Instance i-[0-9a-f]+ \\(workstation gpu, g4dn\\.xlarge in us-east-1\\) is running and billed by the hour \\(about \\$0\\.526/hour on demand\\)\\. Fix: Run \`rig up gpu\` again to keep waiting\\. If ssh still does not answer, check that your address is still admitted .*To stop the billing: \`rig stop gpu\` \\(keeps the disk\\) or \`rig down gpu\``, 'm'));
    } finally {
      await world.sshd.start();
    }
    // The fix, followed as printed once ssh answers: the same instance, now ready.
    const again = await world.rig(['up', 'gpu']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/✔ i-\w+ is running and ssh answers/);
    expect((await liveInstances()).length).toBe(1);
  });
});

describe('the root volume', () => {
  it('is encrypted (the account default key) on every launch', async () => {
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const [instance] = await liveInstances();
    const ec2 = world.ec2();
    const volumes = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instance!.InstanceId!] }] }));
    ec2.destroy();
    expect(volumes.Volumes?.length).toBeGreaterThan(0);
    expect(volumes.Volumes!.map((v) => v.Encrypted)).toEqual(volumes.Volumes!.map(() => true));
  });
});

describe('when a zone has no capacity', () => {
  it('up tries the other availability zones of the default VPC and launches in the next one', async () => {
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g4dn.xlarge capacity in the Availability Zone you requested.', times: 1 });
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('g4dn.xlarge: no capacity in (any zone AWS chose); trying the next availability zone');
    const live = await liveInstances();
    expect(live).toHaveLength(1);
    const ec2 = world.ec2();
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets ?? [];
    ec2.destroy();
    const firstZone = subnets.map((s) => s.AvailabilityZone!).sort()[0];
    expect(live[0]!.Placement?.AvailabilityZone).toBe(firstZone);
  });

  it('with no zone left, up fails at once offering a similar GPU type and the other market, launching nothing', async () => {
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient capacity.', times: Infinity });
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/^error: AWS has no g4dn\.xlarge capacity in us-east-1 right now \(tried us-east-1a, .*\)\. Nothing was launched\. Fix: .*a similar GPU type, g4dn\.2xlarge \(the same NVIDIA T4; `rig init --name gpu --type g4dn\.2xlarge`\), the other market, spot \(`rig init --name gpu --spot`\), or another region\.$/m);
    expect(up.stderr).not.toMatch(/\n\s+at /);
    expect(await liveInstances()).toHaveLength(0);
    expect(world.cloud.proxy.applied().RunInstances ?? 0).toBe(0);
  });
});

describe('with the home deleted while an instance runs', () => {
  it('status names the running instance and how to take it over; re-init with --new-key says it cannot be logged in to', async () => {
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const [instance] = await liveInstances();
    const id = instance!.InstanceId!;
    await rm(world.home, { recursive: true, force: true });

    const status = await world.rig(['status']);
    expect(status.code).toBe(1);
    expect(status.stderr).not.toContain('No workstation is set up yet');
    expect(status.stderr).toMatch(new RegExp(`^error: This CloudRig home has no workstation, but AWS has CloudRig's ${id} \\(workstation gpu, g4dn\\.xlarge, running in us-east-1\\), billed while it runs\\. Fix: Take it over from here: \`rig init --name gpu --region us-east-1 --type g4dn\\.xlarge --new-key\``, 'm'));

    // The key pair in AWS has no private key here: refused, with a fix that works.
    const init = await world.rig(initArgs(world));
    expect(init.code).toBe(1);
    expect(init.stderr).toMatch(/^error: AWS has the key pair cloudrig-gpu in us-east-1, but its private key is not at .*Fix: Copy the key file there .* run `rig init --name gpu --region us-east-1 --type g4dn\.xlarge --new-key`/m);
    expect(world.cloud.proxy.counts().DeleteKeyPair ?? 0).toBe(0);

    // The fix, run as printed (a new spec: the sshd here is reached through its own host and port, as at first).
    const replaced = await world.rig(['init', '--name', 'gpu', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--new-key', ...initArgs(world).slice(5)]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stderr).toContain(`warning: ${id} (running) was launched with the key pair whose private key is lost, so nobody can log in to it.`);
    expect(replaced.stderr).toContain('rig down gpu --save-image --yes');
    const adopted = await world.statusJson();
    expect(adopted).toMatchObject({ instanceId: id, state: 'running' });
  }, 120_000);
});
