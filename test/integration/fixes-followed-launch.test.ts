import { DescribeInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { followed, fixCommand, onTerminal } from '../support/followed-fix.js';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Each error's `Fix:` followed exactly as printed, for the errors of starting a workstation: the
// quota, the capacity, the launch record, the choice of workstation and the removal. The test
// takes the first runnable `rig …` command out of the error line, runs it (on a terminal when the
// command asks there), and runs the failed command again, which now gets further. Against moto +
// the cloud proxy + sshd, through the CLI.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

/** G and VT on-demand vCPUs, the quota a g4dn launches under. */
const G_ON_DEMAND = 'L-DB2E81BA';

async function init(extra: readonly string[] = []): Promise<void> {
  const result = await world.rig(initArgs(world, extra));
  expect(result.code, result.stderr).toBe(0);
}

/** Runs rig, expects it to fail with exit 1, and returns what it printed on stderr. */
async function fails(args: readonly string[]): Promise<string> {
  const result = await world.rig(args);
  expect(result.code, result.stdout).toBe(1);
  return result.stderr;
}

function ok(result: RigResult): RigResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** The instance type EC2 reports for an instance. */
async function typeOf(instanceId: string): Promise<string | undefined> {
  const ec2 = world.ec2();
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return out.Reservations?.[0]?.Instances?.[0]?.InstanceType;
  } finally {
    ec2.destroy();
  }
}

describe('a fix followed as printed gets the command further (starting a workstation)', () => {
  it(followed('VcpuLimitExceeded', 'the quota too low for the type: the printed doctor files the request on a terminal, and a rerun finds it open'), async () => {
    await init();
    world.cloud.proxy.setQuota(G_ON_DEMAND, 0);
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'VcpuLimitExceeded', message: 'You have requested more vCPU capacity than your current vCPU limit of 0 allows' });
    const stderr = await fails(['up', '--no-wait-ssh']);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['doctor', '--request-quota']);

    const followedRun = await onTerminal(world, fix, ['y']);
    expect(followedRun.code, followedRun.output).toBe(0);
    expect(followedRun.output).toMatch(/Requested 4 vCPUs for "Running On-Demand G and VT instances" in us-east-1/);
    expect(world.cloud.proxy.quotaRequests()).toMatchObject([{ QuotaCode: G_ON_DEMAND, DesiredValue: 4 }]);
    // Run again, it finds the request open and files no second one.
    const again = ok(await world.rig(fix));
    expect(again.stdout).toMatch(/A request for "Running On-Demand G and VT instances" in us-east-1 is already open/);
    expect(world.cloud.proxy.quotaRequests()).toHaveLength(1);
    // Once AWS grants it, rig up launches.
    world.cloud.proxy.setQuota(G_ON_DEMAND, 4);
    ok(await world.rig(['up', '--no-wait-ssh']));
    expect(await world.statusJson()).toMatchObject({ state: 'running' });
  });

  it(followed('ChecksFailed', 'rig doctor with the quota too low: the printed --request-quota files the request on a terminal'), async () => {
    await init();
    world.cloud.proxy.setQuota(G_ON_DEMAND, 0);
    const stderr = await fails(['doctor']);
    expect(stderr).toMatch(/^error: \d+ checks? failed: .*Fix: Run `rig doctor --request-quota`/m);
    const followedRun = await onTerminal(world, fixCommand(stderr), ['y']);
    expect(followedRun.code, followedRun.output).toBe(0);
    expect(world.cloud.proxy.quotaRequests()).toMatchObject([{ QuotaCode: G_ON_DEMAND, DesiredValue: 4 }]);
  });

  it(followed('InsufficientInstanceCapacity', 'no capacity for the type in any zone: the printed init switches to the similar type, and rig up launches it'), async () => {
    await init();
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g4dn.xlarge capacity.', times: Infinity, params: { InstanceType: 'g4dn.xlarge' } });
    const stderr = await fails(['up', '--no-wait-ssh']);
    expect(stderr).toMatch(/Nothing was launched\./);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['init', '--name', 'gpu', '--type', 'g4dn.2xlarge']);
    ok(await world.rig(fix));
    ok(await world.rig(['up', '--no-wait-ssh']));
    const { instanceId } = await world.statusJson();
    expect(await typeOf(instanceId as string)).toBe('g4dn.2xlarge');
  });

  it(followed('InsufficientInstanceCapacity', 'no capacity to start the stopped instance: the printed resize and up start it as the similar type, disk kept'), async () => {
    await init();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const { instanceId } = await world.statusJson();
    ok(await world.rig(['stop']));
    world.cloud.proxy.inject({ action: 'StartInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g4dn.xlarge capacity in the Availability Zone you requested.' });
    const stderr = await fails(['up', '--no-wait-ssh']);
    expect(stderr).toMatch(/It stays stopped: only its disk is billed\./);
    const resize = fixCommand(stderr);
    expect(resize).toEqual(['resize', 'gpu', 'g4dn.2xlarge']);
    ok(await world.rig(resize));
    const up = fixCommand(stderr, 1);
    expect(up).toEqual(['up', 'gpu']);
    await world.trustWorkstationKey();
    ok(await world.rig(up));
    // The same instance (its disk), now the similar type, running.
    expect(await world.statusJson()).toMatchObject({ instanceId, state: 'running' });
    expect(await typeOf(instanceId as string)).toBe('g4dn.2xlarge');
  });

  it(followed('IdempotentParameterMismatch', 'a launch record that no longer matches: the printed rig up launches'), async () => {
    await init();
    world.cloud.proxy.inject({ action: 'RunInstances', kind: 'error', code: 'IdempotentParameterMismatch', message: 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).' });
    const stderr = await fails(['up', '--no-wait-ssh']);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['up']);
    await world.trustWorkstationKey();
    ok(await world.rig(fix));
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'ready' });
  });

  it(followed('WhichWorkstation', 'two workstations and nothing to tell them apart: the printed rig up NAME launches it, and then a bare rig up finds it'), async () => {
    await init(['--name', 'gpu']);
    await init(['--name', 'other']);
    world.core().settings.update((settings) => ({ ...settings, lastUsed: {} }));
    const stderr = await fails(['up', '--no-wait-ssh']);
    expect(stderr).toMatch(/^error: There are 2 workstations \(gpu, other\)/m);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['up', 'gpu']);
    await world.trustWorkstationKey('gpu');
    ok(await world.rig(fix));
    const again = ok(await world.rig(['up', '--no-wait-ssh']));
    expect(again.stderr).toMatch(/gpu/);
  });

  it(followed('NeedsConfirmation', 'a resize of a running instance without a terminal: the printed --yes stops and resizes it'), async () => {
    await init();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const { instanceId } = await world.statusJson();
    const stderr = await fails(['resize', 'gpu', 'g4dn.2xlarge']);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['resize', 'gpu', 'g4dn.2xlarge', '--yes']);
    ok(await world.rig(fix));
    expect(await typeOf(instanceId as string)).toBe('g4dn.2xlarge');
  });

  it(followed('InvalidInput', 'a resize to a type the region lacks: the printed rig gpus lists the types, and a resize to one of them goes through'), async () => {
    await init();
    const stderr = await fails(['resize', 'gpu', 'g4dn.64xlarge']);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['gpus']);
    const listed = ok(await world.rig(fix));
    expect(listed.stdout).toMatch(/ g4dn\.2xlarge /);
    ok(await world.rig(['resize', 'gpu', 'g4dn.2xlarge']));
    expect(world.core().service.spec('gpu').instanceType).toBe('g4dn.2xlarge');
  });

  it(followed('WorkstationInUse', 'rig rm with an instance: the printed down saves its disk and ends it, and rm then only asks about the image'), async () => {
    await init();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const stderr = await fails(['rm', 'gpu', '--yes']);
    expect(stderr).toMatch(/still has an instance/);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['down', 'gpu', '--save-image', '--yes']);
    ok(await world.rig(fix));
    const again = await fails(['rm', 'gpu', '--yes']);
    expect(again).toMatch(/^error: Workstation gpu has 1 saved image in us-east-1 \(ami-\w+\); nothing was removed\./m);
  });

  it(followed('InstanceInterrupted', 'the instance terminated by someone else while rig up waited: the printed rig up launches a new one'), async () => {
    await init();
    world.cloud.proxy.setHold({ pendingMs: 5_000 });
    const up = world.rig(['up', '--no-wait-ssh'], { process: true });
    let instanceId: string | undefined;
    await waitUntil('the launch', async () => (instanceId = (await world.instances()).find((i) => i.State?.Name !== 'terminated')?.InstanceId) !== undefined);
    const ec2 = world.ec2();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId!] }));
    ec2.destroy();
    const interrupted = await up;
    expect(interrupted.code, interrupted.stdout).toBe(1);
    // The error says the instance is gone and nothing bills by the hour: no "may still be running" beside it.
    expect(interrupted.stderr).not.toMatch(/may still be running|To stop the billing/);
    expect(interrupted.stderr).toMatch(new RegExp(`^error: ${instanceId!} \\(workstation gpu\\) is `, 'm'));
    const fix = fixCommand(interrupted.stderr);
    expect(fix).toEqual(['up', 'gpu']);
    world.cloud.proxy.setHold({ pendingMs: 300, stoppingMs: 300 });
    await world.trustWorkstationKey();
    ok(await world.rig(fix, { timeoutMs: 90_000 }));
    const status = await world.statusJson();
    expect(status).toMatchObject({ state: 'running', phase: 'ready' });
    expect(status.instanceId).not.toBe(instanceId);
  }, 180_000);
});
