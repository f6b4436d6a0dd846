import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { decodeUserData } from '../fixtures/instance-boot.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { useRigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300, shuttingDownMs: 300 }, eachTest: { init: true } });
const status = () => world.statusJson();

describe('cost in rig status, rig cost and rig snooze', () => {
  it('a g4dn.xlarge in us-east-1 costs 0.526 $/h from the bundled table when the Pricing API is unavailable', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    expect(await status()).toMatchObject({ hourlyUsd: 0.526, priceSource: 'bundled', sessionUsd: 0, idleStopMinutes: 60 });
  });

  it('the live price wins when the Pricing API answers, and says so', async () => {
    world.cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.5123 })]);
    expect(await status()).toMatchObject({ hourlyUsd: 0.5123, priceSource: 'live' });
  });

  it('a running session accrues cost, and rig cost shows the month and what is kept while stopped', async () => {
    world.cloud.proxy.setPricingAvailable(false);
    expect((await world.rig(['up'])).code).toBe(0);
    const running = await status();
    // Billing has a 60 s minimum per start: however short the run so far, 0.526 $/h × 60 s.
    expect(running.sessionUsd).toBeCloseTo(0.526 / 60, 4);
    expect((await world.rig(['stop'])).code).toBe(0);

    const cost = await world.rig(['cost', '--json']);
    expect(cost.code, cost.stderr).toBe(0);
    const report = JSON.parse(cost.stdout) as { monthUsd: number; workstations: { name: string; running: boolean; stillCosting: { items: { kind: string }[]; monthlyUsd: number } }[] };
    expect(report.monthUsd).toBeCloseTo(0.526 / 60, 4);
    const [gpu] = report.workstations;
    expect(gpu).toMatchObject({ name: 'gpu', running: false });
    expect(gpu!.stillCosting.items.map((i) => i.kind)).toContain('volume');
    expect(gpu!.stillCosting.monthlyUsd).toBeGreaterThan(0);

    const text = await world.rig(['cost']);
    expect(text.stdout).toMatch(/still costing: Volume vol-\w+ \(100 GiB gp3\) — \$\d+\.\d\d\/month \(bundled\)/);
  });

  it('the launch sends the idle watchdog as user data, with the idle minutes of the spec', async () => {
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const { instanceId } = await status();
    const ec2 = world.ec2();
    const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: String(instanceId), Attribute: 'userData' }));
    ec2.destroy();
    const userData = decodeUserData(attribute.UserData?.Value ?? '');
    // Multipart: the seeded host key's cloud-config, then the watchdog's installer script.
    expect(userData).toMatch(/^Content-Type: text\/x-shellscript; charset="utf-8"\nMIME-Version: 1\.0\nContent-Disposition: attachment; filename="cloudrig-idle-watchdog\.sh"\n\n#!\/bin\/bash/m);
    expect(userData).toContain('cloudrig-idle-check');
    expect(userData).toMatch(/CLOUDRIG_IDLE_MINUTES=60\b/);
  });

  it('rig snooze writes the keep-alive file on the workstation over ssh', async () => {
    expect((await world.rig(['up'])).code).toBe(0);
    const keepalive = join(world.home, 'remote-keepalive');
    await rm(keepalive, { force: true });
    const before = Math.floor(Date.now() / 1000);
    const snooze = await world.rig(['snooze', '--hours', '2'], { env: { CLOUDRIG_KEEPALIVE_FILE: keepalive } });
    expect(snooze.code, snooze.stderr).toBe(0);
    expect(snooze.stdout).toMatch(/^Idle auto-stop snoozed for 2 h/);
    const until = Number((await readFile(keepalive, 'utf8')).trim());
    expect(until).toBeGreaterThanOrEqual(before + 7_200);
    expect(until).toBeLessThan(before + 7_200 + 60);
    // The app's reminders are snoozed as long.
    const reminders = JSON.parse(await readFile(join(world.home, 'state', 'reminders.json'), 'utf8')) as { snoozedUntil: number };
    // Same moment give or take the run's own seconds (rounding both to minutes flips at a half minute).
    expect(Math.abs(reminders.snoozedUntil / 1000 - until)).toBeLessThan(60);
  });
});
