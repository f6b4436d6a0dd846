import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTagsCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';
import { workstationView } from '../../src/core/popover-model.js';
import { trayModel } from '../../src/core/tray-model.js';

const world = useRigWorld({ hold: { pendingMs: 1_500, stoppingMs: 500, shuttingDownMs: 500 }, eachTest: { init: true } });

const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);

async function liveIds(): Promise<string[]> {
  return (await world.instances()).filter((i) => LIVE.has(i.State?.Name ?? '')).map((i) => i.InstanceId!);
}

/** A second CloudRig instance of workstation gpu, launched behind rig's back (as another machine would). */
async function launchTagged(tags: { Key: string; Value: string }[] = [
  { Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' },
]): Promise<string> {
  const ec2 = world.ec2();
  const out = await ec2.send(new RunInstancesCommand({
    ImageId: 'ami-dca37ea5', MinCount: 1, MaxCount: 1, InstanceType: 'g4dn.xlarge',
    TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
  }));
  ec2.destroy();
  return out.Instances![0]!.InstanceId!;
}

/** A second machine: a copy of this home (same settings, same private key), as after copying ~/.config. */
async function secondHome(): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'cloudrig-home-b-'));
  await cp(world.home, home, { recursive: true });
  return home;
}

describe('a second live instance never runs unseen', () => {
  it('two machines running rig up at once end with one instance, and both report that one', async () => {
    const other = await secondHome();
    try {
      // Both launch requests are held 5 s before EC2 applies them (within the 8 s request timeout), so
      // neither run can see the other's instance before launching: two homes really launch twice.
      world.cloud.proxy.inject({ action: 'RunInstances', kind: 'stall', delayMs: 5_000, times: 2 });
      const [a, b] = await Promise.all([
        world.rig(['up', '--no-wait-ssh'], { process: true }),
        world.rig(['up', '--no-wait-ssh'], { env: { CLOUDRIG_HOME: other }, process: true }),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      // Two homes, two locks, two tokens: AWS really launched twice (more on a loaded machine, where the
      // SDK resends a held request before the proxy has seen its token: each resend is one more launch).
      expect(world.cloud.proxy.applied().RunInstances).toBeGreaterThanOrEqual(2);
      const live = await liveIds();
      expect(live).toHaveLength(1);
      const kept = live[0]!;
      expect(a.stderr).toContain(`✔ ${kept} is running`);
      expect(b.stderr).toContain(`✔ ${kept} is running`);
      // Exactly one of the runs backed off, terminating its own (newer) instance.
      expect([a.stderr, b.stderr].filter((e) => e.includes(`came first (${kept}); terminating`))).toHaveLength(1);
      const status = await world.statusJson();
      expect(status).toMatchObject({ instanceId: kept, duplicates: [] });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 120_000);

  it('a run that finds an older launch while it waits backs off to it, waits for it and ends on it', async () => {
    // Another machine's launch of gpu, older by a second or more, that EC2 lists as gpu's only once this
    // run is already waiting for its own (its tags arrive late, as EC2's listing can lag a launch).
    // Both stay pending for a while, so the run finds the older one before either runs.
    world.cloud.proxy.setHold({ pendingMs: 8_000, stoppingMs: 500, shuttingDownMs: 500 });
    const ec2 = world.ec2();
    const older = (await ec2.send(new RunInstancesCommand({ ImageId: 'ami-dca37ea5', MinCount: 1, MaxCount: 1, InstanceType: 'g4dn.xlarge' }))).Instances![0]!;
    await waitUntil('a second past the older launch', () => Date.now() >= older.LaunchTime!.getTime() + 1_000);
    const up = world.spawnRig(['up', '--no-wait-ssh']);
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
    await waitUntil('rig waiting for its instance', () => up.output().includes('Waiting for the instance to run'));
    const described = world.cloud.proxy.counts().DescribeInstances ?? 0;
    await waitUntil('a look at its pending instance', () => (world.cloud.proxy.counts().DescribeInstances ?? 0) > described);
    await ec2.send(new CreateTagsCommand({ Resources: [older.InstanceId!], Tags: [{ Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' }] }));
    ec2.destroy();

    expect(await exited, up.output()).toBe(0);
    expect(up.output()).toMatch(new RegExp(`Another launch of gpu came first \\(${older.InstanceId!}\\); terminating i-`));
    expect(up.output()).toContain(`✔ ${older.InstanceId!} is running`);
    expect(await liveIds()).toEqual([older.InstanceId!]);
  }, 120_000);

  it('rig status shows every live instance with its state and rate; the popover and tray get the error', async () => {
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const [first] = await liveIds();
    const second = await launchTagged();

    const status = await world.statusJson() as {
      instanceId: string; hourlyUsd: number | null; error: { code: string; message: string; fix: string } | null;
      duplicates: { instanceId: string; state: string; hourlyUsd: number | null }[];
    };
    expect(status.instanceId).toBe(first);
    expect(status.duplicates.map((d) => d.instanceId)).toEqual([first, second]);
    expect(status.duplicates.every((d) => LIVE.has(d.state))).toBe(true);
    expect(status.duplicates.map((d) => d.hourlyUsd)).toEqual([status.hourlyUsd, status.hourlyUsd]);
    expect(status.error).toMatchObject({ code: 'DuplicateInstances' });
    expect(status.error!.message).toContain(first!);
    expect(status.error!.message).toContain(second);
    expect(status.error!.fix).toContain('rig down gpu');

    const text = await world.rig(['status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^error: Workstation gpu has 2 instances, each billed`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^  ${first} `, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^  ${second} `, 'm'));

    // The app's views are computed from the same snapshot.
    const core = world.core();
    const snapshot = await core.service.refresh('gpu', { probeSsh: false });
    const settings = core.settings.read();
    const popover = workstationView(snapshot, settings, Date.now());
    expect(popover.error?.message).toContain(second);
    expect(popover.error?.message).toContain(first!);
    const tray = trayModel(snapshot, settings, Date.now());
    expect(tray.icon).toBe('error');
    expect(tray.tooltip).toContain(second);
  }, 120_000);

  it('rig down ends every instance of the workstation and waits for each, leaving foreign ones alone', async () => {
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const second = await launchTagged();
    // Only the workstation tag, not the managed one: not CloudRig's.
    const foreign = await launchTagged([{ Key: 'cloudrig:workstation', Value: 'gpu' }]);
    const down = await world.rig(['down', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(`Terminating ${second}`);
    expect(await liveIds()).toEqual([foreign]);
    const states = new Map((await world.instances()).map((i) => [i.InstanceId, i.State?.Name]));
    // down returned only once each was terminated, not while one was still shutting down.
    expect([...states].filter(([id]) => id !== foreign).every(([, state]) => state === 'terminated')).toBe(true);
    expect(world.cloud.proxy.counts().TerminateInstances).toBe(2);
  }, 120_000);
});

describe('the launch lock', () => {
  it('is kept by a live holder whose launch takes longer than the lock staleness', async () => {
    // 6 s finding the image plus 6 s in RunInstances: 12 s inside the lock (> 10 s staleness), each
    // request within the per-attempt request timeout.
    world.cloud.proxy.setLatency(6_000, 'GetParameter');
    world.cloud.proxy.setLatency(6_000, 'RunInstances');
    const first = world.spawnRig(['up', '--no-wait-ssh']);
    // Listened for at once: the first run may end while the second is still starting.
    const firstExit = new Promise<number | null>((resolve) => first.once('exit', resolve));
    const deadline = Date.now() + 60_000;
    while (!world.cloud.proxy.counts().RunInstances && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
    // A second rig up in the same home, while the first has held the lock for over 6 s and is inside RunInstances.
    const second = await world.rig(['up', '--no-wait-ssh']);
    const firstCode = await firstExit;
    expect(firstCode, first.output()).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
    expect(await liveIds()).toHaveLength(1);
    expect(second.stderr).toContain('Found i-');
  }, 150_000);

  it('a holder that loses its lock stops before launching, with a one-line error', async () => {
    // Keep the holder inside the lock (looking up the image) while the lock disappears.
    world.cloud.proxy.setLatency(5_000, 'GetParameter');
    const holder = world.spawnRig(['up', '--no-wait-ssh']);
    const deadline = Date.now() + 30_000;
    while (!world.cloud.proxy.counts().GetParameter && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await rm(join(world.home, 'locks', 'gpu.lock'), { recursive: true, force: true });
    const code = await new Promise<number | null>((resolve) => holder.once('exit', resolve));
    expect(code).toBe(1);
    expect(holder.output()).toMatch(/^error: CloudRig lost its lock on gpu .* so it stopped before changing anything else\. Fix: Run the command again/m);
    expect(holder.output()).not.toMatch(/\n\s+at /);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
    expect(await liveIds()).toEqual([]);
  }, 120_000);
});
