import { describe, expect, it } from 'vitest';
import { FleetWatch } from '../../src/core/app/fleet-watch.js';
import { fleetTrayModel } from '../../src/core/tray-model.js';
import { POLL } from '../../src/core/poll-policy.js';
import type { FleetPoll } from '../../src/core/app/fleet-watch.js';
import { FakeClock } from '../unit/support/fake-clock.js';
import { useRigWorld, type RigWorld } from '../support/rig-harness.js';

const world = useRigWorld({ eachTest: { init: false } });

/** Three workstations in two regions: two in us-east-1, one in eu-west-1. */
const FLEET = [
  { name: 'gpu', region: 'us-east-1' },
  { name: 'big', region: 'us-east-1' },
  { name: 'west', region: 'eu-west-1' },
] as const;

async function initFleet(w: RigWorld): Promise<void> {
  for (const { name, region } of FLEET) {
    const init = await w.rig(['init', '--name', name, '--region', region, '--type', 'g4dn.xlarge', '--ssh-host', w.sshd.host,
      '--ssh-port', String(w.sshd.port), '--ssh-user', w.sshd.user]);
    expect(init.code, init.stderr).toBe(0);
  }
}

/** A FleetWatch on the world's core with a fake clock, recording each poll; started with the proxy's counts at zero. */
function startedFleet(): { clock: FakeClock; fleet: FleetWatch; polls: FleetPoll[] } {
  const clock = new FakeClock(Date.now());
  const core = world.core({ clock });
  const fleet = new FleetWatch({ service: core.service, cloud: core.cloud, clock });
  const polls: FleetPoll[] = [];
  fleet.onDidPoll((poll) => polls.push(poll));
  world.cloud.proxy.resetCounts();
  fleet.start();
  return { clock, fleet, polls };
}

describe('every workstation watched, one DescribeInstances per region', () => {
  it('one poll of three workstations in two regions asks each region once, and a workstation started by rig shows in the next poll', async () => {
    await initFleet(world);
    const up = await world.rig(['up', 'gpu', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);

    const core = world.core();
    const fleet = new FleetWatch({ service: core.service, cloud: core.cloud, clock: core.clock });
    world.cloud.proxy.resetCounts();
    const first = await fleet.poll({ probeSsh: false });

    expect(first.snapshots.map((s) => [s.name, s.region, s.instance?.state ?? 'absent'])).toEqual([
      ['gpu', 'us-east-1', 'running'],
      ['big', 'us-east-1', 'absent'],
      ['west', 'eu-west-1', 'absent'],
    ]);
    const describes = Object.fromEntries(Object.entries(world.cloud.proxy.countsByRegion()).filter(([key]) => key.startsWith('DescribeInstances@')));
    expect(describes).toEqual({ 'DescribeInstances@us-east-1': 1, 'DescribeInstances@eu-west-1': 1 });

    // Started from the shell while the watch runs: the next poll shows it, still one call per region.
    const west = await world.rig(['up', 'west', '--no-wait-ssh']);
    expect(west.code, west.stderr).toBe(0);
    world.cloud.proxy.resetCounts();
    const second = await fleet.poll({ probeSsh: false });
    expect(second.snapshots.find((s) => s.name === 'west')?.instance?.state).toBe('running');
    expect(world.cloud.proxy.counts().DescribeInstances).toBe(2);

    // The tray sums them up: two running, the total of their rates, a row per workstation.
    const costs = new Map(await Promise.all(second.snapshots.map(async (s) =>
      [s.name, await core.costs.observe(core.service.spec(s.name), s.instance, Date.now())] as const)));
    const tray = fleetTrayModel(second.snapshots, core.settings.read(), Date.now(), costs);
    expect(tray.title).toMatch(/^\$\d+\.\d\d\/h · 2 running$/);
    const rows = tray.menu.filter((item) => item.kind === 'action' && item.workstation !== undefined);
    expect(rows.filter((item) => item.kind === 'action' && item.action === 'stop').map((item) => item.kind === 'action' && item.workstation)).toEqual(['gpu', 'west']);
    expect(rows.filter((item) => item.kind === 'action' && item.action === 'start').map((item) => item.kind === 'action' && item.workstation)).toEqual(['big']);
  });

  it('rig status without a name lists every workstation, one line each, and --json is an array', async () => {
    await initFleet(world);
    expect((await world.rig(['up', 'big', '--no-wait-ssh'])).code).toBe(0);

    world.cloud.proxy.resetCounts();
    const json = await world.rig(['status', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const list = JSON.parse(json.stdout) as { name: string; region: string; state: string }[];
    expect(list.map((s) => [s.name, s.region, s.state])).toEqual([
      ['gpu', 'us-east-1', 'absent'],
      ['big', 'us-east-1', 'running'],
      ['west', 'eu-west-1', 'absent'],
    ]);
    expect(world.cloud.proxy.counts().DescribeInstances).toBe(2);

    const text = await world.rig(['status']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^big\s+running\s+g4dn\.xlarge in us-east-1\s+i-\w+\s+\$0\.526\/h$/);
    expect(lines[3]).toBe('1 of 3 running, $0.526/h in total. `rig status NAME` shows one.');

    // With a name, one workstation as before.
    const one = JSON.parse((await world.rig(['status', 'big', '--json'])).stdout) as { name: string; phase: string };
    expect(one).toMatchObject({ name: 'big', phase: 'running' });
  });

  it('running, it polls every region once at start, once a minute while nothing changes, and at once when asked', async () => {
    await initFleet(world);
    const { clock, fleet, polls } = startedFleet();
    await expect.poll(() => polls.length).toBe(1);
    expect(world.cloud.proxy.counts().DescribeInstances).toBe(2);
    expect(polls[0]!.regions).toEqual(['us-east-1', 'eu-west-1']);

    clock.advance(POLL.steady - 1_000);
    fleet.refreshNow();
    await expect.poll(() => polls.length).toBe(2);
    clock.advance(POLL.steady);
    await expect.poll(() => polls.length).toBe(3);
    await fleet.dispose();
    expect(world.cloud.proxy.counts().DescribeInstances).toBe(6);
  });

  it('while an instance runs and its ssh never answers, polls probe ssh every half second but ask EC2 only every 10 s', async () => {
    const init = await world.rig(['init', '--name', 'gpu', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host,
      '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]);
    expect(init.code, init.stderr).toBe(0);
    await world.sshd.stop();
    const up = await world.rig(['up', 'gpu', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    const { clock, fleet, polls } = startedFleet();
    await expect.poll(() => polls.length).toBe(1);
    expect(polls[0]!.snapshots[0]!.phase).toBe('running');
    // 40 polls half a second apart: 20 s in which only ssh can change the picture.
    for (let poll = 2; poll <= 40; poll++) {
      clock.advance(POLL.sshProbe);
      await expect.poll(() => polls.length).toBe(poll);
    }
    await fleet.dispose();
    // The first poll, then one at 10 s and one at 20 s: three, not forty.
    expect(world.cloud.proxy.counts().DescribeInstances).toBeLessThanOrEqual(3);
    expect(polls.at(-1)!.snapshots[0]!.phase).toBe('running');
    await world.sshd.start();
  });
});
