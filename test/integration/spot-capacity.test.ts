// Capacity and spot: AWS may refuse a GPU or take a spot instance back, and the user must learn why
// and what to do instead. Through `rig` against moto + the cloud proxy + sshd: the proxy plays the
// spot service moto lacks (a spot request per spot launch, interruptions with EC2's state reason, a
// replacement launch for a persistent request that was not cancelled).
import { describe, expect, it } from 'vitest';
import { notificationPolicy } from '../../src/core/notification-policy.js';
import type { Snapshot } from '../../src/shared/workstation.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

const world = useRigWorld({ hold: { pendingMs: 500, stoppingMs: 500, shuttingDownMs: 300 }, eachTest: { init: true } });

async function liveInstances() {
  return (await world.instances()).filter((i) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
}

/** Makes the workstation a persistent spot one and launches it; returns its instance id. */
async function upOnSpot(): Promise<string> {
  const init = await world.rig(initArgs(world, ['--spot']));
  expect(init.code, init.stderr).toBe(0);
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  const [instance] = await liveInstances();
  expect(instance?.InstanceLifecycle).toBe('spot');
  return instance!.InstanceId!;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('rig down of a spot workstation', () => {
  it('cancels the persistent spot request before TerminateInstances, so nothing relaunches', async () => {
    const instanceId = await upOnSpot();
    const [request] = world.cloud.proxy.spotRequests();
    expect(request).toMatchObject({ instanceId, state: 'active', persistent: true, interruptionBehavior: 'stop' });
    // The request carries the workstation's tags, as everything CloudRig creates does.
    expect(request!.tags).toEqual(expect.arrayContaining([{ key: 'cloudrig:workstation', value: 'gpu' }, { key: 'cloudrig:managed', value: 'true' }]));
    world.cloud.proxy.resetCounts();

    const down = await world.rig(['down', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    const log = world.cloud.proxy.requestLog();
    expect(log).toContain('CancelSpotInstanceRequests');
    expect(log.indexOf('CancelSpotInstanceRequests')).toBeLessThan(log.indexOf('TerminateInstances'));
    expect(world.cloud.proxy.spotRequests()).toEqual([expect.objectContaining({ spotInstanceRequestId: request!.spotInstanceRequestId, state: 'cancelled' })]);
    // Had the request stayed open, the proxy (as EC2) would have launched a replacement.
    expect(await liveInstances()).toHaveLength(0);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
    expect((await world.statusJson()).phase).toBe('absent');
  });
});

describe('a spot interruption', () => {
  it('is noticed from the state reason, shown by status, and notified as AWS stopping it for capacity', async () => {
    const instanceId = await upOnSpot();
    const core = world.core();
    const before = await core.service.refresh('gpu', { probeSsh: false });
    await world.cloud.proxy.interruptSpot(instanceId);
    let after: Snapshot = before;
    await until(async () => (after = await core.service.refresh('gpu', { probeSsh: false })).phase === 'stopped', 'the interrupted instance to show stopped');
    expect(after.spotInterrupted).toBe(true);
    expect(after.instance?.stateReason).toContain('Server.SpotInstanceShutdown');

    const notice = notificationPolicy(before, after, Date.now(), core.settings.read());
    expect(notice).toMatchObject({ kind: 'stopped', title: 'gpu was stopped by AWS: the spot market took its capacity back' });
    expect(notice!.body).toMatch(/resumes by itself when its persistent spot request gets capacity/);
    expect(notice!.body).not.toMatch(/press Start/i);

    const status = await world.rig(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`gpu (g4dn.xlarge, us-east-1): stopped — ${instanceId}`);
    expect(status.stdout).toContain('gpu was stopped by AWS: the spot market took its capacity back. Only its disk is billed now. It resumes by itself when its persistent spot request gets capacity again');
    expect(await world.statusJson()).toMatchObject({ phase: 'stopped', spotInterrupted: true });
  });

  it('rig up waits for the spot request to get capacity instead of starting it, and ends running when AWS resumes it', async () => {
    const instanceId = await upOnSpot();
    await world.cloud.proxy.interruptSpot(instanceId);
    await until(async () => (await world.statusJson()).phase === 'stopped', 'the interruption to show');
    world.cloud.proxy.resetCounts();

    const up = world.spawnRig(['up', '--no-wait-ssh']);
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
    await until(() => up.output().includes('waiting for its persistent spot request to get capacity'), 'rig up to say it waits for capacity');
    expect(up.output()).toContain(`${instanceId} was stopped by AWS for spot capacity`);
    // It does not fight the request: EC2 would refuse a StartInstances (IncorrectSpotRequestState).
    expect(world.cloud.proxy.counts().StartInstances ?? 0).toBe(0);
    // Still waiting after a few more polls.
    const polls = world.cloud.proxy.counts().DescribeInstances ?? 0;
    await until(() => (world.cloud.proxy.counts().DescribeInstances ?? 0) >= polls + 2, 'rig up to keep polling');
    expect(up.exitCode).toBeNull();

    await world.cloud.proxy.resumeSpot(instanceId);
    const code = await exited;
    expect(code, up.output()).toBe(0);
    expect(world.cloud.proxy.counts().StartInstances ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
    const status = await world.statusJson();
    expect(status).toMatchObject({ instanceId });
    expect(['running', 'ready']).toContain(status.phase);
    expect(status.spotInterrupted).toBeFalsy();
    expect(await liveInstances()).toHaveLength(1);
  });
});

describe('a spot interruption while rig up waits', () => {
  it('says AWS took the spot instance back, with the way to wait for it or leave spot, not the idle auto-stop', async () => {
    const init = await world.rig(initArgs(world, ['--spot']));
    expect(init.code, init.stderr).toBe(0);
    // The instance stays pending, so rig up is still waiting for it when the spot market takes it back.
    world.cloud.proxy.setHold({ pendingMs: 600_000, stoppingMs: 500, shuttingDownMs: 300 });
    const up = world.spawnRig(['up']);
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve));
    await waitUntil('the spot launch', () => world.cloud.proxy.spotRequests().length === 1);
    const instanceId = world.cloud.proxy.spotRequests()[0]!.instanceId;
    await waitUntil('rig up to wait for the instance', () => up.output().includes(instanceId));
    await world.cloud.proxy.interruptSpot(instanceId);

    expect(await exited, up.output()).toBe(1);
    const errorLines = up.output().split('\n').filter((line) => line.startsWith('error: '));
    expect(errorLines, up.output()).toHaveLength(1);
    expect(errorLines[0]).toMatch(new RegExp(`^error: AWS took back the spot instance ${instanceId} \\(workstation gpu\\) while waiting for the instance to run: the spot market reclaimed its capacity \\(EC2 says: Server\\.SpotInstanceShutdown.*\\)\\. It is stopped, not terminated\\.`));
    expect(errorLines[0]).toContain('Fix: Only its disk is billed now, and its persistent spot request starts it again by itself when AWS has capacity: `rig up gpu` waits for that. Not to depend on spot capacity: `rig down gpu --save-image`, then `rig init --name gpu --on-demand`');
    expect(up.output()).not.toMatch(/idle auto-stop|something other than this/);
    // Nothing was started by hand against the spot request, and nothing else launched.
    expect(world.cloud.proxy.counts().StartInstances ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(1);
  });
});

describe('no capacity in any zone', () => {
  it('offers the same GPU in the next size (from the region catalog) and the other market, never launching it silently', async () => {
    const init = await world.rig(initArgs(world, ['--spot']));
    expect(init.code, init.stderr).toBe(0);
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'There is no Spot capacity available that matches your request.', times: Infinity });
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/^error: AWS has no g4dn\.xlarge spot capacity in us-east-1 right now \(tried us-east-1a, .*\)\. Nothing was launched\. Fix: Try again in a few minutes, or choose: a similar GPU type, g4dn\.2xlarge \(the same NVIDIA T4; `rig init --name gpu --type g4dn\.2xlarge`\), the other market, on-demand \(`rig init --name gpu --on-demand`\), or another region\.$/m);
    expect(up.stderr).not.toMatch(/\n\s+at /);
    // Offered, not taken: every launch asked for the type the user chose.
    expect(world.cloud.proxy.applied().RunInstances ?? 0).toBe(0);
    expect(await liveInstances()).toHaveLength(0);
    expect(world.cloud.proxy.spotRequests()).toEqual([]);
  });
});
