import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateImageCommand, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { ipcHandlers } from '../../src/main/ipc-handlers.js';
import { createRouter, senderFrom, type Router } from '../../src/main/ipc-router.js';
import { appFix } from '../../src/shared/app-fix-wording.js';
import type { RequestChannel, Responses, Result } from '../../src/shared/contract.js';
import { fixSteps } from '../../src/shared/fix-steps.js';
import type { ResizeChoicesView } from '../../src/shared/resize-view.js';
import type { ErrorInfo } from '../../src/shared/workstation.js';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { appOn, useApps, type AppHarness } from '../support/app-harness.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// Change type… as the popover calls it: through the real IPC router and handlers to the app
// session, on a real core against moto + the cloud proxy, with the workstation made by `rig`.

const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300, shuttingDownMs: 300 }, eachTest: { init: true } });
const startApp = useApps();

/** Running On-Demand G and VT instances. */
const G_QUOTA = 'L-DB2E81BA';
/** Listing a region's GPU offers prices every GPU type; moto is slow on a loaded machine. */
const LISTING_MS = 240_000;
const popover = { url: 'app://cloudrig/index.html', isMainFrame: true };

/** The app over the world's home, and its IPC router as the popover reaches it. */
function openApp(): { app: AppHarness; ask: <C extends RequestChannel>(channel: C, payload?: unknown) => Promise<Result<Responses[C]>> } {
  const app = startApp(appOn(world));
  const router: Router = createRouter(ipcHandlers(app.session, async () => undefined), senderFrom('app://cloudrig'));
  return { app, ask: (channel, payload) => router.handle(channel, popover, payload) as Promise<Result<Responses[typeof channel]>> };
}

function ok<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected an answer, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function refused(result: Result<unknown>): ErrorInfo {
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
}

/** The workstation's live instance as EC2 reports it. */
async function instance() {
  const live = (await world.instances()).filter((i) => i.State?.Name !== 'terminated');
  expect(live).toHaveLength(1);
  return live[0]!;
}

async function specType(): Promise<string> {
  const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, { instanceType: string }> };
  return settings.workstations.gpu!.instanceType;
}

/** `rig up` (and `rig stop`) make the instance the app then sees; the counts start from there. */
async function launched(state: 'running' | 'stopped'): Promise<string> {
  world.cloud.proxy.setQuota(G_QUOTA, 64);
  const up = await world.rig(['up', '--no-wait-ssh']);
  expect(up.code, up.stderr).toBe(0);
  if (state === 'stopped') expect((await world.rig(['stop'])).code).toBe(0);
  world.cloud.proxy.resetCounts();
  return (await instance()).InstanceId!;
}

const modifies = (): number => world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0;

describe('Change type… through the IPC handlers', () => {
  it('on a stopped workstation shows both prices and what was checked, then changes the type (ModifyInstanceAttribute) and the spec, and the popover shows the new type', async () => {
    const instanceId = await launched('stopped');
    world.cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.5123 })]);
    const { app, ask } = openApp();

    const plan = ok(await ask('resize:plan', { instanceType: 'g5.xlarge', skipDriverCheck: false }));
    expect(plan).toMatchObject({
      name: 'gpu', instanceId, state: 'stopped', from: 'g4dn.xlarge', to: 'g5.xlarge', needsStop: false,
      priceBefore: { usdPerHour: 0.5123, market: 'on-demand', source: 'live' },
      priceAfter: { usdPerHour: 1.006, market: 'on-demand', source: 'bundled' },
    });
    expect(plan.checked).toContain('Architecture: its image ami-dca37ea5 is x86_64; g5.xlarge runs it.');
    expect(modifies()).toBe(0);

    const outcome = ok(await ask('resize:apply', { instanceType: 'g5.xlarge', stopFirst: false, skipDriverCheck: false, startAfter: false }));
    expect(outcome).toMatchObject({ status: 'changed', started: false, plan: { to: 'g5.xlarge' } });
    expect(modifies()).toBe(1);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge', State: { Name: 'stopped' } });
    expect(await specType()).toBe('g5.xlarge');
    const view = ok(await ask('view:get'));
    expect(view.workstation).toMatchObject({ instanceType: 'g5.xlarge', instanceId });
    expect(view.notice).toBe('gpu is now a g5.xlarge, with the same disk');
    await app.dispose();
  });

  it('on a running workstation refuses until asked to stop first, changing nothing; asked, it stops and then changes the type', async () => {
    const instanceId = await launched('running');
    const { app, ask } = openApp();

    const plan = ok(await ask('resize:plan', { instanceType: 'g5.xlarge', skipDriverCheck: false }));
    expect(plan).toMatchObject({ state: 'running', needsStop: true });
    const error = refused(await ask('resize:apply', { instanceType: 'g5.xlarge', stopFirst: false, skipDriverCheck: false, startAfter: false }));
    expect(error).toMatchObject({ code: 'NeedsConfirmation', message: `gpu's instance ${instanceId} is running; its type can change only while it is stopped.` });
    expect(appFix(error.fix)).toBe('Press "Stop and change to g5.xlarge" in Change type… (the disk is kept), or press Stop and change its type once it is stopped.');
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect(modifies()).toBe(0);
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge', State: { Name: 'running' } });

    const outcome = ok(await ask('resize:apply', { instanceType: 'g5.xlarge', stopFirst: true, skipDriverCheck: false, startAfter: false }));
    expect(outcome.status).toBe('stopping');
    await app.session.settled();
    expect(world.cloud.proxy.requestLog().filter((action) => action === 'StopInstances' || action === 'ModifyInstanceAttribute'))
      .toEqual(['StopInstances', 'ModifyInstanceAttribute']);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge', State: { Name: 'stopped' } });
    expect(await specType()).toBe('g5.xlarge');
    await waitUntil('the popover shows the new type, stopped', async () => {
      const view = ok(await ask('view:get'));
      return view.workstation?.instanceType === 'g5.xlarge' && view.workstation.phase === 'stopped';
    });
  });

  it('refuses a type whose architecture the disk cannot boot, with the fix worded for the popover', async () => {
    await launched('stopped');
    const { ask } = openApp();
    const error = refused(await ask('resize:plan', { instanceType: 'g5g.xlarge', skipDriverCheck: false }));
    expect(error.message).toBe('g5g.xlarge runs arm64 only, and gpu\'s disk cannot boot on it: its image ami-dca37ea5 is x86_64.');
    expect(appFix(error.fix)).toMatch(/^Change type…: pick a type that runs x86_64/);
    const applied = refused(await ask('resize:apply', { instanceType: 'g5g.xlarge', stopFirst: true, skipDriverCheck: false, startAfter: false }));
    expect(applied.code).toBe('InvalidInput');
    expect(modifies()).toBe(0);
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge' });
    expect(await specType()).toBe('g4dn.xlarge');
  });

  it('refuses a spot instance and says the way: save an image, set the type, start from the image', async () => {
    expect((await world.rig(initArgs(world, ['--spot']))).code).toBe(0);
    world.cloud.proxy.setQuota('L-3819A6DF', 64);
    const instanceId = await launched('stopped');
    const { ask } = openApp();
    const error = refused(await ask('resize:apply', { instanceType: 'g5.xlarge', stopFirst: true, skipDriverCheck: false, startAfter: false }));
    expect(error.message).toBe(`gpu's instance ${instanceId} is a spot instance: EC2 cannot change its type (its persistent spot request launches g4dn.xlarge).`);
    expect(appFix(error.fix)).toBe('A spot instance\'s type cannot change: Terminate… with "Save image", then set the type to g5.xlarge in Settings → Workstation and press Start (it launches from the saved image).');
    expect(modifies()).toBe(0);
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect(await specType()).toBe('g4dn.xlarge');
  });
});

describe('Change type… for an image whose name shows no NVIDIA driver', () => {
  it('refuses an NVIDIA type with the popover\'s way to vouch for the driver, and changes it once vouched for', async () => {
    const source = await launched('running');
    const ec2 = world.ec2();
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: source, Name: 'plain-ubuntu-22.04', Description: 'Ubuntu server' }));
    ec2.destroy();
    expect((await world.rig(['down', '--yes'])).code).toBe(0);
    expect((await world.rig(initArgs(world, ['--ami', ImageId!]))).code).toBe(0);
    const instanceId = await launched('stopped');
    const { ask } = openApp();

    const error = refused(await ask('resize:plan', { instanceType: 'g5.xlarge', skipDriverCheck: false }));
    expect(error.code).toBe('CannotResize');
    expect(appFix(error.fix)).toBe('Check on the box that nvidia-smi answers (Open terminal): if it does, tick "The image has the NVIDIA driver" in Change type… and pick the type again; otherwise install the driver on the box first.');
    expect(refused(await ask('resize:apply', { instanceType: 'g5.xlarge', stopFirst: false, skipDriverCheck: false, startAfter: false })).code).toBe('CannotResize');
    expect(modifies()).toBe(0);

    const vouched = ok(await ask('resize:plan', { instanceType: 'g5.xlarge', skipDriverCheck: true }));
    expect(vouched.checked).toContain('NVIDIA driver: not checked (you said the image has it).');
    ok(await ask('resize:apply', { instanceType: 'g5.xlarge', stopFirst: false, skipDriverCheck: true, startAfter: false }));
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge' });
  });
});

describe('a start that finds no capacity, in the app', () => {
  it('offers the types with the same GPU or better in the disk\'s zone, and one of them changes the type and starts it', async () => {
    const instanceId = await launched('stopped');
    const zone = (await instance()).Placement!.AvailabilityZone!;
    world.cloud.proxy.inject({ action: 'StartInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g4dn.xlarge capacity in the Availability Zone you requested.', status: 500, times: Infinity });
    const { app, ask } = openApp();
    ok(await ask('workstation:start'));
    await app.session.settled();
    const error = ok(await ask('view:get')).workstation?.error ?? null;
    expect(error?.code).toBe('InsufficientInstanceCapacity');
    expect(fixSteps(error!.fix).map((step) => step.action)).toContain('resize-for-capacity');
    world.cloud.proxy.clearFaults();

    const choices: ResizeChoicesView = ok(await ask('resize:choices', { purpose: 'capacity' }));
    expect(choices).toMatchObject({ name: 'gpu', purpose: 'capacity', from: 'g4dn.xlarge', instanceId, zone, needsStop: false });
    const types = choices.rows.map((row) => row.instanceType);
    // The cheapest few of the other T4 sizes and of single GPUs with at least the T4's 16 GiB; never the type without capacity.
    expect(types.length).toBeGreaterThan(0);
    expect(types.length).toBeLessThanOrEqual(6);
    expect(types).toEqual(expect.arrayContaining(['g4dn.2xlarge', 'g5.xlarge']));
    expect(types).not.toContain('g4dn.xlarge');
    for (const row of choices.rows) {
      if (row.gpuModel === 'NVIDIA T4') continue;
      expect(row.gpuCount).toBe(1);
      expect(row.gpuMemoryGiB!).toBeGreaterThanOrEqual(16);
    }
    const prices = choices.rows.map((row) => row.onDemandUsd ?? Number.POSITIVE_INFINITY);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(world.cloud.proxy.counts().DescribeInstanceTypeOfferings).toBeGreaterThanOrEqual(1);

    const outcome = ok(await ask('resize:apply', { instanceType: 'g4dn.2xlarge', stopFirst: false, skipDriverCheck: false, startAfter: true }));
    expect(outcome).toMatchObject({ status: 'changed', started: true });
    await app.session.settled();
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g4dn.2xlarge', State: { Name: 'running' } });
    expect(await specType()).toBe('g4dn.2xlarge');
  }, LISTING_MS);
});

describe('the capacity rows follow the disk\'s zone', () => {
  it('leaves out the types the zone does not offer, though the region does (us-east-1f has no gr6 nor g6e)', async () => {
    // gpu's stopped g6.xlarge (one L4) in us-east-1f, tagged as CloudRig tags its own.
    const ec2 = world.ec2();
    const tags = [{ Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' }];
    const run = await ec2.send(new RunInstancesCommand({
      ImageId: 'ami-dca37ea5', InstanceType: 'g6.xlarge', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: 'us-east-1f' },
      TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
    }));
    const instanceId = run.Instances![0]!.InstanceId!;
    await waitUntil('the instance runs', async () => (await instance()).State?.Name === 'running');
    await ec2.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    ec2.destroy();
    await waitUntil('the instance is stopped', async () => (await instance()).State?.Name === 'stopped');
    world.cloud.proxy.setQuota(G_QUOTA, 64);
    const { ask } = openApp();

    const inZone = ok(await ask('resize:choices', { purpose: 'capacity' }));
    expect(inZone).toMatchObject({ instanceId, from: 'g6.xlarge', zone: 'us-east-1f' });
    const offered = inZone.rows.map((row) => row.instanceType);
    expect(offered).toContain('g6.2xlarge');
    // The L4 of gr6.4xlarge and the L40S of g6e.xlarge would do, but us-east-1f offers neither.
    const inRegion = ok(await ask('resize:choices', { purpose: 'change' })).rows.map((row) => row.instanceType);
    expect(inRegion).toEqual(expect.arrayContaining(['gr6.4xlarge', 'g6e.xlarge']));
    expect(offered).not.toContain('gr6.4xlarge');
    expect(offered).not.toContain('g6e.xlarge');
  }, LISTING_MS);
});
