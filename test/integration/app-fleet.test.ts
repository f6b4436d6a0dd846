import { RunInstancesCommand, StartInstancesCommand, StopInstancesCommand, waitUntilInstanceRunning, waitUntilInstanceStopped } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppSession } from '../../src/core/app/app-session.js';
import { DLAMI_IMAGE_ID } from '../fixtures/cloud.js';
import { startCloudProxy, type CloudProxy } from '../fixtures/cloud-proxy.js';
import { appOn, tenfoldWaits, useApps, type AppHarness } from '../support/app-harness.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';

// The tray app watching two workstations in two regions while `rig` works beside it, and an
// instance nobody told CloudRig about running in a third. The app asks AWS through a proxy of its
// own, so that proxy's counts are the app's calls and nothing else.

const THIRD = 'ap-southeast-2';
const world = useRigWorld({ eachTest: { init: false } });
const start = useApps();
let appProxy: CloudProxy;

beforeAll(async () => {
  appProxy = await startCloudProxy({ target: world.cloud.moto.url });
});

afterAll(async () => {
  await appProxy?.close();
});

/** The app on the world's home, asking AWS through its own proxy, its waits stretched tenfold. */
function startApp(): AppHarness {
  return start(appOn(world, { endpoint: appProxy.url, clock: tenfoldWaits }));
}

/** `rig init` of a second workstation, `other`, in eu-west-1. */
function otherInitArgs(): string[] {
  return ['init', '--name', 'other', ...initArgs(world).slice(1).map((arg) => (arg === 'us-east-1' ? 'eu-west-1' : arg))];
}

function menuLabels(session: AppSession): string[] {
  return session.tray().menu.flatMap((item) => ('label' in item ? [item.label] : []));
}

describe('the tray app over a fleet', () => {
  it('shows a second workstation `rig up other` started within one poll, asking each region once per poll', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    expect((await world.rig(otherInitArgs())).code).toBe(0);
    const session = startApp().session;
    await expect.poll(() => menuLabels(session), { timeout: 20_000 }).toEqual(expect.arrayContaining(['gpu: No instance', 'other: No instance']));
    // The forgotten-instance scan at start asks every region: let it end before counting.
    await session.elsewhereSettled();
    appProxy.resetCounts();

    // A process of its own, as a terminal's would be: the app follows changes announced by other processes.
    const up = await world.rig(['up', 'other', '--no-wait-ssh'], { process: true });
    expect(up.code, up.stderr).toBe(0);
    await expect.poll(() => menuLabels(session).find((label) => label.startsWith('other: ')), { timeout: 10_000 }).toMatch(/^other: Running/);

    // Each poll asks each region of the fleet once, and no other region.
    const asked = Object.entries(appProxy.countsByRegion()).filter(([key]) => key.startsWith('DescribeInstances@'));
    expect(asked.map(([key]) => key).sort()).toEqual(['DescribeInstances@eu-west-1', 'DescribeInstances@us-east-1']);
    const [east, west] = [appProxy.countsByRegion()['DescribeInstances@us-east-1'], appProxy.countsByRegion()['DescribeInstances@eu-west-1']];
    expect(east).toBe(west);

    // The tray sums up the fleet; the popover can switch, and lists the last used first.
    expect(session.tray().menu[0]).toEqual({ kind: 'label', label: '2 workstations · 1 of 2 running' });
    const view = session.selectWorkstation('other');
    expect(view.workstation?.name).toBe('other');
    expect(view.fleet?.entries.map((entry) => [entry.name, entry.current])).toEqual([['other', true], ['gpu', false]]);
  });

  it('drops a workstation `rig rm` removed from its menu and switcher at once, and keeps showing the other', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    expect((await world.rig(otherInitArgs())).code).toBe(0);
    const session = startApp().session;
    await expect.poll(() => menuLabels(session), { timeout: 20_000 }).toEqual(expect.arrayContaining(['gpu: No instance', 'other: No instance']));

    const rm = await world.rig(['rm', 'other', '--yes'], { process: true });
    expect(rm.code, rm.stderr).toBe(0);
    // Announced like every change `rig` makes: well before the app's next poll.
    await expect.poll(() => menuLabels(session).some((label) => label.startsWith('other')), { timeout: 10_000 }).toBe(false);
    expect(session.view().workstation?.name).toBe('gpu');
    expect(session.view().fleet?.entries.map((entry) => entry.name) ?? ['gpu']).toEqual(['gpu']);
  });

  it('stops a workstation that is not the one shown when its session budget is reached', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    expect((await world.rig(otherInitArgs())).code).toBe(0);
    const up = await world.rig(['up', 'other', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    // The popover shows gpu; other runs with a session budget it has already spent, and auto-stop on.
    world.core().settings.update((settings) => ({
      ...settings,
      current: 'gpu',
      reminders: { ...settings.reminders, sessionBudgetUsd: 0.0001, autoStopAtBudget: true },
    }));
    const app = startApp().session;
    await expect.poll(async () => (await world.instances('eu-west-1')).map((i) => i.State?.Name), { timeout: 30_000 })
      .toEqual([expect.stringMatching(/^(stopping|stopped)$/)]);
    expect(app.view().workstation?.name).toBe('gpu');
  });

  it('notifies once about an untagged instance in a third region, opens its console page, and stays silent about it once dismissed', async () => {
    expect((await world.rig(initArgs(world))).code).toBe(0);
    const foreign = world.ec2(THIRD);
    const run = await foreign.send(new RunInstancesCommand({ ImageId: DLAMI_IMAGE_ID, InstanceType: 'g4dn.xlarge', MinCount: 1, MaxCount: 1 }));
    const instanceId = run.Instances![0]!.InstanceId!;

    const { session, record } = startApp();
    await session.elsewhereSettled();
    expect(record.forgotten.map((shown) => shown.notice.instanceId)).toEqual([instanceId]);
    expect(session.view().elsewhere?.rows.map((row) => [row.instanceId, row.title, row.dismissed])).toEqual([[instanceId, `g4dn.xlarge in ${THIRD}`, false]]);

    // Reported once: a scan again lists it without a second notification.
    await session.scanElsewhere();
    expect(record.forgotten).toHaveLength(1);

    const [shown] = record.forgotten;
    shown!.act('show-in-console');
    await expect.poll(() => record.opened).toEqual([`https://${THIRD}.console.aws.amazon.com/ec2/home?region=${THIRD}#InstanceDetails:instanceId=${instanceId}`]);
    shown!.act('dismiss');
    await expect.poll(() => session.view().elsewhere?.rows[0]?.dismissed).toBe(true);

    // Stopped and started again it is news once more, unless dismissed, as it is here.
    await foreign.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    await waitUntilInstanceStopped({ client: foreign, maxWaitTime: 30 }, { InstanceIds: [instanceId] });
    await session.scanElsewhere();
    await foreign.send(new StartInstancesCommand({ InstanceIds: [instanceId] }));
    await waitUntilInstanceRunning({ client: foreign, maxWaitTime: 30 }, { InstanceIds: [instanceId] });
    await session.scanElsewhere();
    expect(session.view().elsewhere?.rows.map((row) => row.instanceId)).toEqual([instanceId]);
    expect(record.forgotten).toHaveLength(1);
  });
});
