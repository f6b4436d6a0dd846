import { AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: false } });
let ec2: EC2Client;

beforeEach(() => {
  ec2 = world.ec2();
});
afterEach(() => ec2.destroy());

/** The ssh rules of the workstation's group as moto holds them: range and description. */
async function sshRules(): Promise<{ cidr: string; description: string | null }[]> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
  return (out.SecurityGroups?.[0]?.IpPermissions ?? [])
    .filter((p) => p.FromPort === 22)
    .flatMap((p) => (p.IpRanges ?? []).map((r) => ({ cidr: r.CidrIp ?? '', description: r.Description ?? null })))
    .sort((a, b) => a.cidr.localeCompare(b.cidr));
}

/** A rule the user added by hand in the console (no CloudRig description). */
async function addHandRule(cidr: string, description?: string): Promise<void> {
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: out.SecurityGroups?.[0]?.GroupId,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: cidr, Description: description }] }],
  }));
}

describe('address drift: the laptop moved, the security group follows', () => {
  it('admits the new /32, revokes exactly the old rule CloudRig added, and leaves a hand-added rule alone', async () => {
    world.cloud.proxy.setMyIp('203.0.113.7');
    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);
    await addHandRule('192.0.2.0/24', 'office VPN');
    await addHandRule('198.51.100.200/32');
    expect(await sshRules()).toEqual([
      { cidr: '192.0.2.0/24', description: 'office VPN' },
      { cidr: '198.51.100.200/32', description: null },
      { cidr: '203.0.113.7/32', description: 'CloudRig ssh' },
    ]);

    world.cloud.proxy.setMyIp('198.51.100.9');
    const core = world.core();
    const report = await core.service.followAddressDrift('gpu');
    expect(report).toMatchObject({ changed: true, cidr: '198.51.100.9/32', revoked: ['203.0.113.7/32'], kept: ['192.0.2.0/24', '198.51.100.200/32'] });
    expect(report.message).toBe("Your public IP changed: admitted 198.51.100.9/32 on ssh and revoked CloudRig's rule for 203.0.113.7/32. Left the rules for 192.0.2.0/24, 198.51.100.200/32 alone (not added by CloudRig).");
    expect(await sshRules()).toEqual([
      { cidr: '192.0.2.0/24', description: 'office VPN' },
      { cidr: '198.51.100.200/32', description: null },
      { cidr: '198.51.100.9/32', description: 'CloudRig ssh' },
    ]);
    expect(core.service.spec('gpu').ingressCidr).toBe('198.51.100.9/32');

    // Nothing moved: nothing changes, and a second check says so.
    expect(await core.service.followAddressDrift('gpu')).toMatchObject({ changed: false, revoked: [] });
  });

  it('rig up says it re-admitted the new address, and the hand-added rule survives the launch', async () => {
    world.cloud.proxy.setMyIp('203.0.113.7');
    expect((await world.rig(initArgs(world))).code).toBe(0);
    await addHandRule('192.0.2.0/24');
    world.cloud.proxy.setMyIp('198.51.100.9');
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout + up.stderr).toContain("Your public IP changed: admitted 198.51.100.9/32 on ssh and revoked CloudRig's rule for 203.0.113.7/32.");
    expect((await sshRules()).map((r) => r.cidr)).toEqual(['192.0.2.0/24', '198.51.100.9/32']);
  });

  it('a fixed --cidr is never followed: the check changes nothing', async () => {
    expect((await world.rig(initArgs(world, ['--cidr', '203.0.113.0/24']))).code).toBe(0);
    world.cloud.proxy.setMyIp('198.51.100.9');
    expect(await world.core().service.followAddressDrift('gpu')).toMatchObject({ changed: false, revoked: [] });
    expect((await sshRules()).map((r) => r.cidr)).toEqual(['203.0.113.0/24']);
  });
});
