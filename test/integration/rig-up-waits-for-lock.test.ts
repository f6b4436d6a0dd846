import { describe, expect, it } from 'vitest';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Two `rig up` of one workstation, each its own process, through `rig` against moto + the cloud
// proxy: the proxy holds the first one's RunInstances, so it sits inside the launch lock, and the
// second waits for that lock (up to 15 minutes) — saying so, rather than sitting silent.
const world = useRigWorld({ eachTest: { init: false } });

const WAITING = '• Waiting for another CloudRig process to finish with gpu\n';

describe('rig up while another process holds the launch lock', () => {
  it('says in one line what it waits for, then goes on once the lock is free, launching nothing more', async () => {
    const init = await world.rig(initArgs(world));
    expect(init.code, init.stderr).toBe(0);
    world.cloud.proxy.resetCounts();
    // Held until clearFaults(): the first `rig up` holds the lock with its launch in flight.
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'stall' });
    const first = world.spawnRig(['up', '--no-wait-ssh']);
    const firstDone = new Promise<number | null>((resolve) => first.once('close', resolve));
    await waitUntil('the first rig up to send RunInstances', () => (world.cloud.proxy.counts().RunInstances ?? 0) >= 1);

    const second = world.spawnRig(['up', '--no-wait-ssh']);
    const secondDone = new Promise<number | null>((resolve) => second.once('close', resolve));
    await waitUntil('the second rig up to say it waits', () => second.output().includes(WAITING));

    world.cloud.proxy.clearFaults();
    expect(await firstDone, first.output()).toBe(0);
    expect(await secondDone, second.output()).toBe(0);
    // Said once, and only by the one that waited.
    expect(second.output().split(WAITING)).toHaveLength(2);
    expect(first.output()).not.toContain('Waiting for another');
    // The second found the first one's instance: one launch in all.
    expect(world.cloud.proxy.counts().RunInstances).toBe(1);
    expect((await world.instances()).filter((i) => i.State?.Name !== 'terminated')).toHaveLength(1);
  });
});
