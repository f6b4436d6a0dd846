import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateImageCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { onDemandPriceEntry } from '../fixtures/cloud-proxy.js';
import { launchedBox } from '../support/launched-box.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { rigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300, shuttingDownMs: 300 }, eachTest: { init: true } });

/** Running On-Demand G and VT instances. */
const G_QUOTA = 'L-DB2E81BA';

/** The workstation's live instance as EC2 reports it. */
async function instance() {
  const live = (await world.instances()).filter((i) => i.State?.Name !== 'terminated');
  expect(live).toHaveLength(1);
  return live[0]!;
}

/** The spec's instance type in the settings file. */
async function specType(name = 'gpu'): Promise<string> {
  const settings = JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as { workstations: Record<string, { instanceType: string }> };
  return settings.workstations[name]!.instanceType;
}

async function launched(state: 'running' | 'stopped'): Promise<string> {
  world.cloud.proxy.setQuota(G_QUOTA, 64);
  return launchedBox(world, state);
}

function errorLine(stderr: string): string {
  return stderr.trim().split('\n').filter((line) => line.startsWith('error: ')).at(-1) ?? stderr;
}

describe('rig resize: a new type for the same disk', () => {
  it('changes a stopped instance\'s type and the spec, shows both prices, and rig up starts it as the new type', async () => {
    const instanceId = await launched('stopped');
    world.cloud.proxy.setPriceList([onDemandPriceEntry({ instanceType: 'g4dn.xlarge', regionCode: 'us-east-1', usd: 0.5123 })]);

    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge', '--json']);
    expect(resize.code, resize.stderr).toBe(0);
    expect(JSON.parse(resize.stdout)).toMatchObject({
      name: 'gpu', instanceId, from: 'g4dn.xlarge', to: 'g5.xlarge', stopped: false,
      priceBefore: { usdPerHour: 0.5123, market: 'on-demand', source: 'live' },
      priceAfter: { usdPerHour: 1.006, market: 'on-demand', source: 'bundled' },
    });
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute).toBe(1);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge', State: { Name: 'stopped' } });
    expect(await specType()).toBe('g5.xlarge');

    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(world.cloud.proxy.counts().RunInstances ?? 0).toBe(0);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge', State: { Name: 'running' } });
  });

  it('says in words what it checked and what the change costs', async () => {
    await launched('stopped');
    const resize = await world.rig(['resize', 'g4dn.2xlarge']);
    expect(resize.code, resize.stderr).toBe(0);
    const lines = resize.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^gpu: g4dn\.xlarge → g4dn\.2xlarge \(i-\w+, stopped\)$/);
    expect(resize.stdout).toContain('Architecture: its image ami-dca37ea5 is x86_64; g4dn.2xlarge runs it.');
    expect(resize.stdout).toContain('NVIDIA driver: its image ami-dca37ea5 is "Deep Learning AMI Ubuntu Linux - 2.4_Oct2017" (checked by name, not on the disk).');
    expect(resize.stdout).toContain('vCPU quota: "Running On-Demand G and VT instances" in us-east-1 allows 64 vCPUs; a g4dn.2xlarge needs 8.');
    expect(resize.stdout).toContain('Price: $0.526/h on-demand (bundled price) → $0.752/h on-demand (bundled price)');
    expect(lines.at(-1)).toMatch(/^i-\w+ is now a g4dn\.2xlarge, with the same disk; it is stopped: `rig up gpu` starts it\.$/);
  });

  it('says when it did not check a driver (an AMD GPU) and when a price is unknown, never $0.00', async () => {
    await launched('stopped');
    const resize = await world.rig(['resize', 'gpu', 'g4ad.xlarge', '--json']);
    expect(resize.code, resize.stderr).toBe(0);
    const result = JSON.parse(resize.stdout) as { priceAfter: unknown; checked: string[] };
    expect(result.priceAfter).toBeNull();
    expect(result.checked).toContain('GPU driver: not checked (AMD Radeon Pro V520 needs its maker\'s driver on the image).');
    const back = await world.rig(['resize', 'gpu', 'g4dn.xlarge']);
    expect(back.stdout).toContain('Price: unknown (no price for it) → $0.526/h on-demand (bundled price)');
  });

  it('refuses a running instance without a terminal or --yes, changing nothing', async () => {
    const instanceId = await launched('running');
    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toBe(`error: gpu's instance ${instanceId} is running; its type can change only while it is stopped, and there is no terminal to ask whether to stop it. `
      + 'Fix: Run `rig resize gpu g5.xlarge --yes` to stop it first, or `rig stop gpu` and run the resize again.');
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge', State: { Name: 'running' } });
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
    expect(await specType()).toBe('g4dn.xlarge');
  });

  it('on a terminal asks "Stop gpu first?": no changes nothing, yes stops it and changes its type', async () => {
    const instanceId = await launched('running');
    const env = { ...world.env, CLOUDRIG_HOME: world.home };
    const declined = rigOnPty(['resize', 'gpu', 'g5.xlarge'], env);
    await waitUntil('the question', () => declined.output().includes('Stop gpu first?') || declined.ended());
    declined.type('n\r');
    const no = await declined.exited;
    expect(no.code, no.output).toBe(0);
    expect(no.output).toContain('Nothing was changed.');
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge', State: { Name: 'running' } });

    const accepted = rigOnPty(['resize', 'gpu', 'g5.xlarge'], env);
    await waitUntil('the question', () => accepted.output().includes('Stop gpu first?') || accepted.ended());
    accepted.type('y\r');
    const yes = await accepted.exited;
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toContain(`${instanceId} is now a g5.xlarge, with the same disk; it is stopped: \`rig up gpu\` starts it.`);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge', State: { Name: 'stopped' } });
    expect(await specType()).toBe('g5.xlarge');
  });

  it('with --yes stops a running instance, then changes its type', async () => {
    const instanceId = await launched('running');
    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge', '--yes', '--json']);
    expect(resize.code, resize.stderr).toBe(0);
    expect(JSON.parse(resize.stdout)).toMatchObject({ instanceId, from: 'g4dn.xlarge', to: 'g5.xlarge', stopped: true });
    expect(world.cloud.proxy.requestLog().filter((action) => action === 'StopInstances' || action === 'ModifyInstanceAttribute'))
      .toEqual(['StopInstances', 'ModifyInstanceAttribute']);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge', State: { Name: 'stopped' } });
    expect(await specType()).toBe('g5.xlarge');
  });

  it('leaves a running instance that already has the type running, and puts the spec back in step', async () => {
    await launched('running');
    expect((await world.rig(initArgs(world, ['--type', 'g5.xlarge']))).code).toBe(0);
    const resize = await world.rig(['resize', 'gpu', 'g4dn.xlarge']);
    expect(resize.code, resize.stderr).toBe(0);
    expect(resize.stdout).toMatch(/^i-\w+ already is a g4dn\.xlarge; the spec now says so too\.$/m);
    expect(world.cloud.proxy.counts().StopInstances ?? 0).toBe(0);
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge', State: { Name: 'running' } });
    expect(await specType()).toBe('g4dn.xlarge');
  });

  it('without an instance changes only the spec, and the next launch is the new type', async () => {
    world.cloud.proxy.setQuota(G_QUOTA, 64);
    const resize = await world.rig(['resize', 'g5.xlarge']);
    expect(resize.code, resize.stderr).toBe(0);
    expect(resize.stdout).toContain('gpu has no instance: its spec now says g5.xlarge, so the next launch (`rig up gpu`) is a g5.xlarge.');
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
    expect(await specType()).toBe('g5.xlarge');
    const up = await world.rig(['up', '--no-wait-ssh']);
    expect(up.code, up.stderr).toBe(0);
    expect(await instance()).toMatchObject({ InstanceType: 'g5.xlarge' });
  });

  it('refuses a spot instance and gives the way: save an image, change the spec, launch from the image', async () => {
    expect((await world.rig(initArgs(world, ['--spot']))).code).toBe(0);
    world.cloud.proxy.setQuota('L-3819A6DF', 64);
    const instanceId = await launched('stopped');
    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge', '--yes']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toBe(`error: gpu's instance ${instanceId} is a spot instance: EC2 cannot change its type (its persistent spot request launches g4dn.xlarge). `
      + 'Fix: Keep the disk and relaunch as the new type: `rig down gpu --save-image`, then `rig init --name gpu --type g5.xlarge` and `rig up gpu` (it launches from the saved image).');
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
    expect(await specType()).toBe('g4dn.xlarge');
  });

  it('refuses a type the region does not offer, and a name that is no instance type', async () => {
    await launched('stopped');
    const resize = await world.rig(['resize', 'gpu', 'g4dn.24xlarge']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toBe('error: us-east-1 does not offer the instance type "g4dn.24xlarge". Fix: TYPE: pick a type us-east-1 offers. `rig gpus` lists its GPU types.');
    const nonsense = await world.rig(['resize', 'gpu', 'banana']);
    expect(nonsense.code).toBe(1);
    expect(errorLine(nonsense.stderr)).toMatch(/^error: Unknown instance type "banana"\. Fix: TYPE: use an EC2 instance type such as /);
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
  });

  it('refuses an arm64 type for an x86_64 image', async () => {
    await launched('stopped');
    const resize = await world.rig(['resize', 'gpu', 'g5g.xlarge']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toBe('error: g5g.xlarge runs arm64 only, and gpu\'s disk cannot boot on it: its image ami-dca37ea5 is x86_64. '
      + 'Fix: TYPE: pick a type that runs x86_64. `rig gpus` lists x86_64 GPU types.');
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge' });
  });

  it('refuses a type the account\'s vCPU quota cannot run, offering the quota request', async () => {
    await launched('stopped');
    world.cloud.proxy.setQuota(G_QUOTA, 4);
    const resize = await world.rig(['resize', 'gpu', 'g5.2xlarge']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toBe('error: Your account\'s vCPU quota is too small for g5.2xlarge: "Running On-Demand G and VT instances" in us-east-1 allows 4 vCPUs; a g5.2xlarge needs 8. '
      + 'Fix: Request at least 8 vCPUs for "Running On-Demand G and VT instances" (quota L-DB2E81BA): run `rig doctor --type g5.2xlarge --request-quota --on-demand`, or open Service Quotas → Amazon EC2 in us-east-1.');
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);
    expect(await specType()).toBe('g4dn.xlarge');
    // The fix works when pasted: it files the request for the new type, not the workstation's.
    await world.rig(['doctor', '--type', 'g5.2xlarge', '--request-quota', '--on-demand', '--yes']);
    expect(world.cloud.proxy.quotaRequests()).toMatchObject([{ QuotaCode: G_QUOTA, DesiredValue: 8 }]);
  });

  it('keeps the spec when AWS refuses the change', async () => {
    await launched('stopped');
    world.cloud.proxy.inject({ action: 'ModifyInstanceAttribute', kind: 'error', code: 'IncorrectInstanceState', message: 'The instance is not in the \'stopped\' state.', status: 400 });
    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toMatch(/^error: AWS did not change i-\w+ to g5\.xlarge: AWS said: The instance is not in the 'stopped' state\. It is still a g4dn\.xlarge, stopped: only its disk is billed; the spec is unchanged\. Fix: .*Start it with `rig up gpu`\.$/);
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute).toBe(1);
    expect(await instance()).toMatchObject({ InstanceType: 'g4dn.xlarge' });
    expect(await specType()).toBe('g4dn.xlarge');
  });

  it('refuses an NVIDIA type for an image whose name shows no driver, unless told it has one', async () => {
    const source = await launched('running');
    const ec2 = world.ec2();
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: source, Name: 'plain-ubuntu-22.04', Description: 'Ubuntu server' }));
    ec2.destroy();
    expect((await world.rig(['down', '--yes'])).code).toBe(0);
    expect((await world.rig(initArgs(world, ['--ami', ImageId!]))).code).toBe(0);
    const instanceId = await launched('stopped');

    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge']);
    expect(resize.code).toBe(1);
    expect(errorLine(resize.stderr)).toBe(`error: g5.xlarge has an NVIDIA A10G, which needs the NVIDIA driver, and nothing says gpu's disk has it: neither its image ${ImageId} ("plain-ubuntu-22.04") nor its image source names an NVIDIA, CUDA or Deep Learning image. `
      + 'Fix: If the image does carry the NVIDIA driver (`rig ssh gpu -- nvidia-smi` answers while it runs), run `rig resize gpu g5.xlarge --skip-driver-check`; otherwise install the driver on the box first.');
    expect(world.cloud.proxy.counts().ModifyInstanceAttribute ?? 0).toBe(0);

    const vouched = await world.rig(['resize', 'gpu', 'g5.xlarge', '--skip-driver-check']);
    expect(vouched.code, vouched.stderr).toBe(0);
    expect(vouched.stdout).toContain('NVIDIA driver: not checked (you said the image has it).');
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge' });
  });
});

describe('rig resize after a relaunch from a saved image', () => {
  it('takes the driver from the spec\'s Deep Learning image parameter, since the saved image is named after the workstation', async () => {
    await launched('running');
    const down = await world.rig(['down', '--save-image', '--yes']);
    expect(down.code, down.stderr).toBe(0);
    const instanceId = await launched('stopped');
    expect((await instance()).ImageId).not.toBe('ami-dca37ea5');

    const resize = await world.rig(['resize', 'gpu', 'g5.xlarge']);
    expect(resize.code, resize.stderr).toBe(0);
    expect(resize.stdout).toContain('NVIDIA driver: its images come from /aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id (checked by name, not on the disk).');
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g5.xlarge' });
  });
});

describe('a stopped instance that cannot start for capacity', () => {
  it('rig up offers rig resize to the same GPU in the next size, and that resize lets it start', async () => {
    const instanceId = await launched('stopped');
    world.cloud.proxy.inject({ action: 'StartInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient g4dn.xlarge capacity in the Availability Zone you requested.', status: 500, times: Infinity });
    const up = await world.rig(['up', '--no-wait-ssh'], { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect(up.code).toBe(1);
    expect(errorLine(up.stderr)).toMatch(new RegExp(`^error: AWS has no g4dn\\.xlarge capacity in us-east-1\\w to start ${instanceId} right now\\. It stays stopped: only its disk is billed\\. `
      + 'Fix: Try again in a few minutes, or change its type keeping the disk: `rig resize gpu g4dn\\.2xlarge` \\(the same NVIDIA T4\\), then `rig up gpu`\\.$'));
    world.cloud.proxy.clearFaults();

    const resize = await world.rig(['resize', 'gpu', 'g4dn.2xlarge']);
    expect(resize.code, resize.stderr).toBe(0);
    const again = await world.rig(['up', '--no-wait-ssh']);
    expect(again.code, again.stderr).toBe(0);
    expect(await instance()).toMatchObject({ InstanceId: instanceId, InstanceType: 'g4dn.2xlarge', State: { Name: 'running' } });
  });
});

describe('a stopped spot instance that cannot start for capacity', () => {
  it('rig up offers the relaunch to the same GPU in the next size, since a spot instance\'s type cannot change', async () => {
    expect((await world.rig(initArgs(world, ['--spot']))).code).toBe(0);
    world.cloud.proxy.setQuota('L-3819A6DF', 64);
    const instanceId = await launched('stopped');
    world.cloud.proxy.inject({ action: 'StartInstances', kind: 'error', code: 'InsufficientInstanceCapacity', message: 'There is no Spot capacity available that matches your request.', status: 500, times: Infinity });
    const up = await world.rig(['up', '--no-wait-ssh'], { env: { AWS_MAX_ATTEMPTS: '1' } });
    expect(up.code).toBe(1);
    expect(errorLine(up.stderr)).toMatch(new RegExp(`^error: AWS has no g4dn\\.xlarge spot capacity in us-east-1\\w to start ${instanceId} right now\\. It stays stopped: only its disk is billed\\. `
      + 'Fix: Try again in a few minutes\\. Keep the disk and relaunch as the new type: `rig down gpu --save-image`, then `rig init --name gpu --type g4dn\\.2xlarge` and `rig up gpu` \\(it launches from the saved image\\)\\.$'));
  });
});

describe('the cloud proxy, as EC2', () => {
  it('changes an instance\'s type only while it is stopped (moto would change it running)', async () => {
    const instanceId = await launched('running');
    const ec2 = world.ec2('us-east-1', { maxAttempts: 1 });
    const modify = () => ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: instanceId, InstanceType: { Value: 'g5.xlarge' } }));
    await expect(modify()).rejects.toMatchObject({ name: 'IncorrectInstanceState', message: `The instance '${instanceId}' is not in the 'stopped' state.` });
    expect((await world.rig(['stop'])).code).toBe(0);
    await modify();
    ec2.destroy();
    expect(await instance()).toMatchObject({ InstanceType: 'g5.xlarge', State: { Name: 'stopped' } });
  });
});
