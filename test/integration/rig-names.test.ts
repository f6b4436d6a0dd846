import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateImageCommand, DeleteKeyPairCommand, DeleteSecurityGroupCommand, DescribeImagesCommand, DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, type EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { rigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

// Names that resolve themselves, unknown names said as such by every command, and `rig rm`, through
// `rig` against moto + the cloud proxy (+ the real sshd for `rig ssh`), with two workstations: gpu and other.

const world = useRigWorld();

async function init(name: string): Promise<void> {
  const result = await world.rig(initArgs(world, ['--name', name]));
  expect(result.code, result.stderr).toBe(0);
}

/** A fresh home and cloud with workstations gpu and other set up, and no record of which was used last. */
async function twoWorkstations(): Promise<void> {
  await world.reset();
  await init('gpu');
  await init('other');
  forgetLastUsed();
}

function forgetLastUsed(): void {
  world.core().settings.update((settings) => ({ ...settings, lastUsed: {} }));
}

function expectOk(result: RigResult): void {
  expect(result.code, result.stderr).toBe(0);
}

/** The one error line and nothing else on stderr, exit 1. */
function expectOnlyError(result: RigResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^error: [^\n]+ Fix: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
}

async function ec2<T>(work: (client: EC2Client) => Promise<T>): Promise<T> {
  const client = world.ec2();
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** The key pairs and security groups moto holds, by name. */
async function awsResources(): Promise<{ keyPairs: string[]; groups: string[]; images: string[] }> {
  return ec2(async (client) => ({
    keyPairs: ((await client.send(new DescribeKeyPairsCommand({}))).KeyPairs ?? []).map((k) => k.KeyName ?? '').sort(),
    groups: ((await client.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).map((g) => g.GroupName ?? '').filter((n) => n !== 'default').sort(),
    images: ((await client.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? []).map((i) => i.ImageId ?? '').sort(),
  }));
}

async function settingsFile(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(world.home, 'settings.json'), 'utf8')) as Record<string, unknown>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

describe('without a name, rig picks the workstation and says which', () => {
  beforeAll(twoWorkstations);

  it('with none running, none with an instance and none used before, rig ssh asks which, in one line', async () => {
    const ssh = await world.rig(['ssh', '--', 'true']);
    expectOnlyError(ssh, /^error: There are 2 workstations \(gpu, other\): none is the only one with an instance, and none was named before\. Fix: Name the one you mean after the command, e\.g\. `rig up gpu`\.\n$/);
  });

  it('the only one running is used by rig ssh, said on stderr, even when another was used last', async () => {
    expectOk(await world.rig(['up', 'other', '--no-wait-ssh']));
    expectOk(await world.rig(['status', 'gpu']));
    await world.trustWorkstationKey('other');
    const ssh = await world.rig(['ssh', '--', 'echo', 'reached']);
    expectOk(ssh);
    expect(ssh.stdout).toBe('reached\n');
    expect(ssh.stderr).toContain('Using workstation other (the only one running).\n');
  });

  it('the only one with an instance (stopped) is used next, and said so', async () => {
    expectOk(await world.rig(['stop', 'other']));
    expectOk(await world.rig(['images', 'gpu']));
    const images = await world.rig(['images']);
    expectOk(images);
    expect(images.stderr).toBe('Using workstation other (the only one with an instance).\n');
    expect(images.stdout).toBe('No saved images.\n');
  });

  it('with no instance anywhere, the last one named is used, and said so', async () => {
    expectOk(await world.rig(['down', 'other', '--yes']));
    expectOk(await world.rig(['images', 'gpu']));
    const images = await world.rig(['images']);
    expectOk(images);
    expect(images.stderr).toBe('Using workstation gpu (the last one used).\n');
    const after = await world.rig(['status', 'other']);
    expectOk(after);
    const again = await world.rig(['images']);
    expect(again.stderr).toBe('Using workstation other (the last one used).\n');
  });

  it('rig down --yes does not terminate a workstation picked only as the last one used', async () => {
    expectOk(await world.rig(['up', 'gpu', '--no-wait-ssh']));
    expectOk(await world.rig(['up', 'other', '--no-wait-ssh']));
    const down = await world.rig(['down', '--yes']);
    expectOnlyError(down, /^error: Workstation other is only the last one used, and this command would not ask before acting on it\. Fix: Name it to go ahead: `rig down other --yes`\.\n$/);
    expect((await world.instances()).filter((i) => i.State?.Name === 'running')).toHaveLength(2);
    expectOk(await world.rig(['down', 'other', '--yes']));
    expectOk(await world.rig(['down', 'gpu', '--yes']));
  });

  it('naming a workstation is recorded under the settings lock, keeping the fields rig does not know', async () => {
    const file = await settingsFile();
    await writeFile(join(world.home, 'settings.json'), JSON.stringify({ ...file, addedByANewerApp: { keep: true } }));
    expectOk(await world.rig(['images', 'gpu']));
    const after = await settingsFile();
    expect(after.addedByANewerApp).toEqual({ keep: true });
    const lastUsed = after.lastUsed as Record<string, number>;
    expect(lastUsed.gpu).toBeGreaterThan(lastUsed.other!);
  });
});

describe('an unknown workstation name is said to be unknown by every command that takes one', () => {
  beforeAll(twoWorkstations);

  const cases: ReadonlyArray<readonly string[]> = [
    ['up', 'foo'], ['status', 'foo'], ['ssh-command', 'foo'], ['ssh', 'foo'], ['ssh', 'foo', '--', 'true'], ['stop', 'foo'], ['down', 'foo', '--yes'],
    ['images', 'foo'], ['images', 'rm', 'ami-12345678', '--name', 'foo', '--yes'], ['tunnel', 'foo'], ['tunnel', 'foo', '8888'], ['jupyter', 'foo'],
    ['push', 'foo', 'here', 'there'], ['pull', 'foo', 'there', 'here'], ['stats', 'foo'], ['code', 'foo', '/tmp'], ['snooze', 'foo'], ['doctor', 'foo'],
    ['rm', 'foo', '--yes'], ['export', 'foo', '--skypilot'],
  ];
  for (const args of cases) {
    it(`rig ${args.join(' ')}`, async () => {
      const result = await world.rig(args);
      expectOnlyError(result, /^error: There is no workstation foo\. Known: gpu, other\. Fix: Name one of gpu, other; or create foo with `rig init --name foo --region us-east-1 --type g4dn\.xlarge`\.\n$/);
      expect(result.stdout).toBe('');
    });
  }
});

describe('rig rm NAME', () => {
  let before: Awaited<ReturnType<typeof awsResources>>;
  beforeAll(async () => {
    await twoWorkstations();
    before = await awsResources();
  });

  it('refuses while the workstation has an instance, naming it and --terminate; nothing is removed', async () => {
    expectOk(await world.rig(['up', 'other', '--no-wait-ssh']));
    const rm = await world.rig(['rm', 'other', '--yes']);
    expectOnlyError(rm, /^error: Workstation other still has an instance in us-east-1: i-\w+ \(running\); nothing was removed\. Fix: Pass --terminate to terminate it too \(its disk is deleted\); to keep its files, run `rig down other --save-image --yes` first\.\n$/);
    expect(await awsResources()).toEqual(before);
    expect(Object.keys((await settingsFile()).workstations as object).sort()).toEqual(['gpu', 'other']);
  });

  it('refuses while it has saved images unless told to delete or keep them', async () => {
    const down = await world.rig(['down', 'other', '--save-image', '--yes']);
    expectOk(down);
    const imageId = /Saved image: (ami-\w+)/.exec(down.stdout)?.[1];
    expect(imageId).toBeDefined();
    const rm = await world.rig(['rm', 'other', '--yes']);
    expectOnlyError(rm, new RegExp(`^error: Workstation other has 1 saved image in us-east-1 \\(${imageId}\\); nothing was removed\\. Fix: Pass --delete-images to delete them too, or --keep-images`));
    expect((await awsResources()).images).toContain(imageId);
  });

  it('without --yes and no terminal, refuses, saying what it would delete', async () => {
    const rm = await world.rig(['rm', 'other', '--delete-images']);
    expectOnlyError(rm, /^error: Refusing to remove workstation other without confirmation \(no terminal to ask on\): it would delete 1 saved image, delete key pair cloudrig-other \(and its private key here\) and security group cloudrig-other in us-east-1\. Fix: Pass --yes to confirm\.\n$/);
    expect(await exists(join(world.home, 'keys', 'cloudrig-other.pem'))).toBe(true);
  });

  it('with --delete-images --yes, deletes its images, key pair and security group in AWS and its settings, key and pins here; gpu is untouched', async () => {
    const gpuSettings = ((await settingsFile()).workstations as Record<string, unknown>).gpu;
    const gpuKey = await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8');
    const rm = await world.rig(['rm', 'other', '--delete-images', '--yes']);
    expectOk(rm);
    expect(rm.stdout).toMatch(/^Deleted images: ami-\w+\.\nWorkstation other is removed: its key pair and security group in AWS, and its settings, key and pins here\.\n$/);

    const after = await awsResources();
    expect(after.keyPairs).toEqual(['cloudrig-gpu']);
    expect(after.groups).toEqual(['cloudrig-gpu']);
    expect(after.images).toEqual([]);
    const settings = await settingsFile();
    expect(Object.keys(settings.workstations as object)).toEqual(['gpu']);
    expect((settings.workstations as Record<string, unknown>).gpu).toEqual(gpuSettings);
    expect(Object.keys(settings.lastUsed as object)).not.toContain('other');
    expect(await exists(join(world.home, 'keys', 'cloudrig-other.pem'))).toBe(false);
    expect(await exists(join(world.home, 'known_hosts', 'other'))).toBe(false);
    expect(await readFile(join(world.home, 'keys', 'cloudrig-gpu.pem'), 'utf8')).toBe(gpuKey);
    expect(await readFile(join(world.home, 'ssh_config'), 'utf8')).not.toMatch(/^Host other$/m);

    const status = await world.statusJson();
    expect(status.name).toBe('gpu');
    const again = await world.rig(['rm', 'other', '--yes']);
    expectOnlyError(again, /^error: There is no workstation other\. Known: gpu\. Fix: /);
  });

  it('on a terminal it asks first, saying what it deletes; "no" removes nothing, "yes" removes it', async () => {
    await init('third');
    const env = { ...world.env, CLOUDRIG_HOME: world.home };
    const declined = rigOnPty(['rm', 'third'], env, { columns: 200 });
    await waitUntil('the question', () => declined.output().includes('(y/N)'), 30_000);
    expect(declined.output()).toContain('Remove workstation third: delete key pair cloudrig-third (and its private key here) and security group cloudrig-third in us-east-1?');
    declined.type('n\r');
    const no = await declined.exited;
    expect(no.code, no.output).toBe(0);
    expect(no.output).toContain('Nothing was removed.');
    expect((await awsResources()).keyPairs).toContain('cloudrig-third');

    const confirmed = rigOnPty(['rm', 'third'], env, { columns: 200 });
    await waitUntil('the question', () => confirmed.output().includes('(y/N)'), 30_000);
    confirmed.type('y\r');
    const yes = await confirmed.exited;
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toContain('Workstation third is removed');
    expect((await awsResources()).keyPairs).not.toContain('cloudrig-third');
  });

  it('run again after an interruption (its key pair and security group already gone in AWS), it finishes the removal here', async () => {
    await init('third');
    const group = await ec2(async (client) => (await client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['cloudrig-third'] }] }))).SecurityGroups?.[0]?.GroupId);
    await ec2((client) => client.send(new DeleteKeyPairCommand({ KeyName: 'cloudrig-third' })));
    await ec2((client) => client.send(new DeleteSecurityGroupCommand({ GroupId: group })));

    const rm = await world.rig(['rm', 'third', '--yes']);
    expectOk(rm);
    expect(Object.keys((await settingsFile()).workstations as object)).toEqual(['gpu']);
    expect(await exists(join(world.home, 'keys', 'cloudrig-third.pem'))).toBe(false);
    expect(await awsResources()).toMatchObject({ keyPairs: ['cloudrig-gpu'], groups: ['cloudrig-gpu'] });
  });

  it('an instance already shutting down needs no --terminate: the removal waits for it to end, then deletes the group', async () => {
    await init('fourth');
    world.cloud.proxy.setHold({ shuttingDownMs: 2_000 });
    try {
      expectOk(await world.rig(['up', 'fourth', '--no-wait-ssh']));
      const instanceId = (await world.instances()).find((i) => i.State?.Name === 'running')?.InstanceId;
      await ec2((client) => client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId!] })));
      expect((await world.instances()).find((i) => i.InstanceId === instanceId)?.State?.Name).toBe('shutting-down');

      const rm = await world.rig(['rm', 'fourth', '--yes']);
      expectOk(rm);
      expect((await world.instances()).find((i) => i.InstanceId === instanceId)?.State?.Name).toBe('terminated');
      expect(await awsResources()).toMatchObject({ keyPairs: ['cloudrig-gpu'], groups: ['cloudrig-gpu'] });
    } finally {
      world.cloud.proxy.setHold({});
    }
  });

  it('with --terminate --keep-images --yes, terminates its instance first and leaves its images in AWS', async () => {
    await init('third');
    expectOk(await world.rig(['up', 'third', '--no-wait-ssh']));
    const instanceId = (await world.instances()).find((i) => i.State?.Name === 'running')?.InstanceId;
    const imageId = await ec2(async (client) => (await client.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'kept',
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'cloudrig:workstation', Value: 'third' }, { Key: 'cloudrig:managed', Value: 'true' }] }] }))).ImageId);

    const rm = await world.rig(['rm', 'third', '--terminate', '--keep-images', '--yes']);
    expectOk(rm);
    expect(rm.stdout).toContain(`Terminated: ${instanceId}.\n`);
    expect(rm.stdout).toContain(`Kept images (still billed for their snapshots): ${imageId}.\n`);
    const instance = (await world.instances()).find((i) => i.InstanceId === instanceId);
    expect(instance?.State?.Name).toBe('terminated');
    expect(await awsResources()).toEqual({ keyPairs: ['cloudrig-gpu'], groups: ['cloudrig-gpu'], images: [imageId] });
  });
});
