import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { snoozeWorkstation } from '../../src/core/app/snooze.js';
import { requestOfForm, setUpWorkstation } from '../../src/core/app/workstation-setup.js';
import { formOf } from '../../src/core/settings-view.js';
import type { WorkstationSpec } from '../../src/shared/workstation.js';
import { useRigWorld } from '../support/rig-harness.js';

// The use cases in src/core/app serve both faces: each case runs once as `rig` (the built CLI)
// and once as the app calls it (the same function on the real core), against moto + the cloud
// proxy + a real sshd, and the two agree.
const world = useRigWorld({ eachTest: { init: true } });

async function savedSpec(): Promise<WorkstationSpec> {
  const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, WorkstationSpec> };
  return settings.workstations.gpu!;
}

async function hasSecurityGroup(region: string): Promise<boolean> {
  const ec2 = world.ec2(region);
  try {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-gpu'] }] }));
    return (out.SecurityGroups ?? []).length > 0;
  } finally {
    ec2.destroy();
  }
}

const remindersFile = (): string => join(world.home, 'state', 'reminders.json');

describe('setting up a workstation: one rule for moving region, from rig and from the app', () => {
  it('moves to another region while it has no instance, and refuses once it has one, in both faces', async () => {
    const moved = await world.rig(['init', '--region', 'us-west-2']);
    expect(moved.code, moved.stderr).toBe(0);
    expect((await savedSpec()).region).toBe('us-west-2');
    expect(await hasSecurityGroup('us-west-2')).toBe(true);

    // The app's Save with the region changed back: the same use case, from the form.
    await setUpWorkstation(world.core(), requestOfForm({ ...formOf(await savedSpec()), region: 'us-east-1' }), { editing: 'gpu' });
    expect((await savedSpec()).region).toBe('us-east-1');

    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const refused = await world.rig(['init', '--region', 'us-west-2']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/gpu has an instance in us-east-1, so its name and region cannot change/);
    await expect(setUpWorkstation(world.core(), requestOfForm({ ...formOf(await savedSpec()), region: 'us-west-2' }), { editing: 'gpu' }))
      .rejects.toMatchObject({ code: 'WorkstationInUse' });
    expect((await savedSpec()).region).toBe('us-east-1');
  });
});

describe('snooze: the box first, then the reminder state, with one error in both faces', () => {
  it('a workstation that is not running takes no snooze, and the reminder state is left as it was', async () => {
    const cli = await world.rig(['snooze']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/gpu did not take the snooze: .*Its idle auto-stop and the reminders go on as before\./);
    expect(existsSync(remindersFile())).toBe(false);

    await expect(snoozeWorkstation(world.core())).rejects.toMatchObject({ code: 'SnoozeFailed', message: expect.stringMatching(/^gpu did not take the snooze/) });
    expect(existsSync(remindersFile())).toBe(false);
  });

  it('a running workstation takes the snooze over ssh, and then the reminders wait as long', async () => {
    expect((await world.rig(['up'])).code).toBe(0);
    const keepalive = join(world.home, 'app-keepalive');
    await rm(keepalive, { force: true });
    world.env.CLOUDRIG_KEEPALIVE_FILE = keepalive;
    try {
      const snoozed = await snoozeWorkstation(world.core(), { hours: 2 });
      const until = Number((await readFile(keepalive, 'utf8')).trim());
      expect(Math.abs(until * 1000 - snoozed.until)).toBeLessThan(1_000);
      const reminders = JSON.parse(await readFile(remindersFile(), 'utf8')) as { snoozedUntil: number };
      expect(reminders.snoozedUntil).toBe(snoozed.until);
    } finally {
      delete world.env.CLOUDRIG_KEEPALIVE_FILE;
    }
  });
});
