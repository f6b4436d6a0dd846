import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: false } });

async function sshRanges(): Promise<string[]> {
  const ec2 = world.ec2();
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    return (out.SecurityGroups?.[0]?.IpPermissions ?? []).flatMap((p) => (p.IpRanges ?? []).map((r) => r.CidrIp ?? ''));
  } finally {
    ec2.destroy();
  }
}

describe('ssh open to every address only when confirmed, and then always flagged', () => {
  it('rig init --cidr 0.0.0.0/0 --allow-anywhere opens it, remembers the confirmation, and rig status warns (text and --json)', async () => {
    const init = await world.rig(initArgs(world, ['--cidr', '0.0.0.0/0', '--allow-anywhere']));
    expect(init.code, init.stderr).toBe(0);
    expect(await sshRanges()).toEqual(['0.0.0.0/0']);
    const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, object> };
    expect(settings.workstations.gpu).toMatchObject({ ingressCidr: '0.0.0.0/0', ingressAnywhere: true });

    const status = await world.rig(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Warning: ssh (tcp/22) is open to every address on the internet (0.0.0.0/0). Narrow it with: rig init --name gpu --cidr auto');
    expect(await world.statusJson()).toMatchObject({ ingressCidr: '0.0.0.0/0', ingressWarning: 'ssh (tcp/22) is open to every address on the internet (0.0.0.0/0).' });

    // Narrowing it again takes the warning away.
    const narrow = await world.rig(initArgs(world, ['--cidr', '203.0.113.7/32']));
    expect(narrow.code, narrow.stderr).toBe(0);
    expect(await sshRanges()).toEqual(['203.0.113.7/32']);
    expect(await world.statusJson()).toMatchObject({ ingressCidr: '203.0.113.7/32', ingressWarning: null });
  });

  it('a host-bits CIDR such as 10.1.2.3/0 is refused before any AWS call instead of becoming 0.0.0.0/0', async () => {
    const init = await world.rig(initArgs(world, ['--cidr', '10.1.2.3/0', '--allow-anywhere']));
    expect(init.code).not.toBe(0);
    expect(init.stderr.trim()).toMatch(/^error: option .*"10\.1\.2\.3\/0" has host bits set.* Fix: --cidr: pass 10\.1\.2\.3\/32 for that address only/);
    expect(world.cloud.proxy.counts()).toEqual({});
  });
});
