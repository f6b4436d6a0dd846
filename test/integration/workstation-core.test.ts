import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/adapters/system-clock.js';
import { POLL } from '../../src/core/poll-policy.js';
import type { Clock } from '../../src/core/ports.js';
import { FleetWatch } from '../../src/core/app/fleet-watch.js';
import { ShiftedClock } from '../support/shifted-clock.js';
import { DEFAULT_AMI_PARAMETER, WorkstationSpecSchema, type Phase, type Snapshot } from '../../src/shared/workstation.js';
import { startRigWorld, type RigWorld } from '../support/rig-harness.js';

let world: RigWorld;

beforeAll(async () => {
  world = await startRigWorld();
  world.cloud.proxy.setHold({ pendingMs: 1_500, stoppingMs: 1_500, shuttingDownMs: 500 });
});
afterAll(() => world?.close());

/** The spec init takes: `auto` is an input to init (your public IP /32), not a stored range. */
function spec() {
  return {
    ...WorkstationSpecSchema.parse({
      name: 'gpu', region: 'us-east-1', instanceType: 'g4dn.xlarge',
      image: { kind: 'parameter', path: DEFAULT_AMI_PARAMETER },
      sshHost: world.sshd.host, sshPort: world.sshd.port, sshUser: world.sshd.user,
      ingressCidr: '203.0.113.7/32',
    }),
    ingressCidr: 'auto',
  };
}

/** Distinct phases in the order they were seen. */
function phases(snapshots: readonly Snapshot[]): Phase[] {
  return snapshots.map((s) => s.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
}

describe('the core API over real adapters', () => {
  it('init → up → ssh exec → stop → up (same instance) → down with an image, with snapshots all the way', async () => {
    const core = world.core();
    const seen: Snapshot[] = [];
    core.service.onDidChange((s) => seen.push(s));

    const init = await core.service.init(spec());
    expect(init.created).toEqual(['key-pair', 'security-group']);
    expect(init.spec.ingressCidr).toBe('203.0.113.7/32');
    await world.trustWorkstationKey();

    const steps: string[] = [];
    const ready = await core.service.up(undefined, { onStep: (s) => steps.push(s.id) });
    expect(ready.phase).toBe('ready');
    expect(ready.instance?.imageId).toBe('ami-dca37ea5'); // from the SSM public parameter
    expect(steps).toEqual(expect.arrayContaining(['prepare', 'image', 'requesting', 'pending', 'ssh']));
    expect(phases(seen)).toEqual(expect.arrayContaining(['launching', 'pending', 'ready']));
    expect(phases(seen).indexOf('launching')).toBeLessThan(phases(seen).indexOf('pending'));
    expect(ready.readyAt).toBeGreaterThan(0);

    const target = await core.service.sshTarget();
    const result = await core.ssh.exec(target, 'echo core-says-hi', 5_000);
    expect(result).toMatchObject({ code: 0, stdout: 'core-says-hi\n' });

    const stopped = await core.service.stop(undefined);
    expect(stopped.phase).toBe('stopped');

    // A second process (a fresh core) recovers the workstation from AWS tags alone.
    const other = world.core();
    const again = await other.service.up(undefined);
    expect(again.instance?.instanceId).toBe(ready.instance?.instanceId);
    expect(again.phase).toBe('ready');

    const down = await other.service.down(undefined, { saveImage: true });
    expect(down.imageId).toMatch(/^ami-/);
    expect(down.snapshot.phase).toBe('absent');
    const images = await other.service.images();
    expect(images.map((i) => [i.imageId, i.state])).toEqual([[down.imageId, 'available']]);
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
  });

  it('the watcher polls fast during a transition, slowly when steady, and at once on demand', async () => {
    // The real clock, recording each wait the watcher asks for: the poll policy shows in what it asks.
    const waits: number[] = [];
    const clock: Clock = { now: () => systemClock.now(), sleep: (ms, signal) => { waits.push(ms); return systemClock.sleep(ms, signal); } };
    await world.reset();
    world.cloud.proxy.setHold({ pendingMs: 1_500, stoppingMs: 1_500, shuttingDownMs: 500 });
    const core = world.core({ clock });
    await core.service.init(spec());
    await world.trustWorkstationKey();
    const seen: Snapshot[] = [];
    core.service.onDidChange((s) => seen.push(s));
    await core.service.up(undefined, { waitSsh: true });
    waits.length = 0;
    const watcher = new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock });
    watcher.start();
    // Steady and ready: after its first look the watcher waits a minute before the next.
    await vi.waitFor(() => expect(waits).toHaveLength(1), { timeout: 15_000, interval: 20 });
    expect(waits[0]).toBe(POLL.steady);
    world.cloud.proxy.resetCounts();

    // Stop behind the watcher's back, then ask for a refresh: it notices at once and follows the transition fast.
    const gateway = core.cloud.gateway('us-east-1');
    const [instance] = await gateway.findWorkstationInstances('gpu');
    await gateway.stopInstance(instance!.instanceId);
    const before = seen.length;
    watcher.refreshNow();
    await vi.waitFor(() => expect(seen.at(-1)?.phase).toBe('stopped'), { timeout: 15_000, interval: 20 });
    await watcher.dispose();
    expect(phases(seen.slice(before))).toEqual(['stopping', 'stopped']);
    // While stopping it asked for the fast interval, not the steady one; each look was a DescribeInstances.
    const whileStopping = waits.slice(1, -1);
    expect(whileStopping.length).toBeGreaterThanOrEqual(2);
    expect(whileStopping.every((ms) => ms <= POLL.fast)).toBe(true);
    expect(world.cloud.proxy.counts().DescribeInstances).toBeGreaterThanOrEqual(whileStopping.length);
    // Once stopped it is steady again.
    expect(waits.at(-1)).toBe(POLL.steady);
  });
});

describe('what a launch asks EC2 for', () => {
  it('a gp3 root of the chosen size, stop on shutdown, IMDSv2, tags on instance and volume, persistent spot when asked', async () => {
    await world.reset();
    world.cloud.proxy.setHold({ pendingMs: 200, stoppingMs: 200, shuttingDownMs: 200 });
    const core = world.core();
    await core.service.init({ ...spec(), diskGiB: 150, spot: true });
    const up = await core.service.up(undefined, { waitSsh: false });
    const instanceId = up.instance!.instanceId;

    const ec2 = world.ec2();
    const instance = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))).Reservations![0]!.Instances![0]!;
    expect(instance.MetadataOptions?.HttpTokens).toBe('required');
    expect(instance.InstanceLifecycle).toBe('spot');
    expect(instance.Tags).toEqual(expect.arrayContaining([
      { Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' },
    ]));
    const shutdown = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'instanceInitiatedShutdownBehavior' }));
    expect(shutdown.InstanceInitiatedShutdownBehavior?.Value).toBe('stop');
    const volumes = await ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
    ec2.destroy();
    const root = volumes.Volumes?.find((v) => v.Size === 150);
    expect(root?.VolumeType).toBe('gp3');
    expect(root?.Tags).toEqual(expect.arrayContaining([{ Key: 'cloudrig:workstation', Value: 'gpu' }]));
  });
});

describe('when ssh does not answer for long', () => {
  it('the snapshot says which ssh target fails, why, and what to check', async () => {
    await world.reset();
    world.cloud.proxy.setHold({ pendingMs: 200, stoppingMs: 200, shuttingDownMs: 200 });
    const clock = new ShiftedClock();
    const core = world.core({ clock });
    await core.service.init(spec());
    await world.sshd.stop();
    try {
      const running = await core.service.up(undefined, { waitSsh: false });
      expect((await core.service.refresh()).phase).toBe('running');
      expect(running.step?.id).not.toBe('ssh-wait');
      clock.jump(3 * 60_000);
      const later = await core.service.refresh(undefined, { force: true });
      expect(later.phase).toBe('running');
      expect(later.step).toEqual({
        id: 'ssh-wait',
        label: expect.stringMatching(new RegExp(`^ssh to ${world.sshd.user}@127\\.0\\.0\\.1:${world.sshd.port} does not answer yet \\(.*ECONNREFUSED.*\\)\\. If this lasts, your address may no longer be admitted: set the workstation's allowed addresses \\(CIDR\\) to auto to re-admit it\\.$`)),
      });
    } finally {
      await world.sshd.start();
    }
  });
});
