import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { rigOnPty, type RigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

// `--json` on the commands that change or report state, through the CLI against moto + the cloud
// proxy + a real sshd: stdout is one JSON object a script can parse (progress stays on stderr),
// with the fields the README documents, checked against what EC2 says. And `rig down` on a
// terminal offers to save an image first, as the app's Terminate does.

const world = useRigWorld();
let scratch: string;
let ec2: EC2Client;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cloudrig-json-'));
  ec2 = world.ec2();
  const init = await world.rig(initArgs(world));
  expect(init.code, init.stderr).toBe(0);
  await world.trustWorkstationKey();
});

afterAll(async () => {
  ec2?.destroy();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** stdout parsed as the one JSON value it must be (the whole of it, nothing before or after). */
function parsed(result: RigResult): Record<string, unknown> {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** What EC2 says of an instance. */
async function ec2State(instanceId: string): Promise<string | undefined> {
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return described.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

/** The workstation's live instances in EC2, by its tag. */
async function liveInstances(): Promise<string[]> {
  const described = await ec2.send(new DescribeInstancesCommand({
    Filters: [{ Name: 'tag:cloudrig:workstation', Values: ['gpu'] }, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
  }));
  return (described.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId ?? '');
}

/** Answers rig's questions on the terminal, in turn, each once it is asked. */
async function answer(rig: RigOnPty, answers: ReadonlyArray<readonly [question: string, keys: string]>): Promise<{ code: number; output: string }> {
  let seen = 0;
  for (const [question, keys] of answers) {
    await waitUntil(`the question "${question}"`, () => rig.output().indexOf(question, seen) >= 0 || rig.ended());
    seen = rig.output().indexOf(question, seen) + question.length;
    rig.type(keys);
  }
  return rig.exited;
}

describe('--json: one object on stdout, progress on stderr', () => {
  let instanceId = '';

  it('rig up --json prints the status object of the running instance: its id, state, phase, address and ssh command', async () => {
    const up = await world.rig(['up', '--json']);
    const json = parsed(up);
    expect(up.stderr).toMatch(/Requesting a g4dn\.xlarge instance/);
    expect(json).toMatchObject({ name: 'gpu', state: 'running', phase: 'ready', setupFailure: null, error: null });
    instanceId = String(json.instanceId);
    expect(await liveInstances()).toEqual([instanceId]);
    expect(await ec2State(instanceId)).toBe('running');
    const status = await world.statusJson();
    expect(json.publicIp).toBe(status.publicIp);
    expect(json.sshCommand).toBe(status.sshCommand);
    expect(json.sshCommand).toMatch(new RegExp(` -p ${world.sshd.port} ${world.sshd.user}@127\\.0\\.0\\.1$`));
  });

  it('rig ssh-command --json prints { name, command }, the command rig ssh-command prints', async () => {
    const plain = await world.rig(['ssh-command']);
    expect(parsed(await world.rig(['ssh-command', '--json']))).toEqual({ name: 'gpu', command: plain.stdout.trim() });
  });

  it('rig snooze --json prints { name, hours, until }, the time the reminders now wait for', async () => {
    const before = Date.now();
    const json = parsed(await world.rig(['snooze', '--hours', '2', '--json']));
    expect(json).toMatchObject({ name: 'gpu', hours: 2 });
    const until = Date.parse(String(json.until));
    expect(String(json.until)).toBe(new Date(until).toISOString());
    expect(until).toBeGreaterThanOrEqual(before + 2 * 3_600_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 2 * 3_600_000);
    const reminders = JSON.parse(await readFile(join(world.home, 'state', 'reminders.json'), 'utf8')) as { snoozedUntil: number | null };
    expect(reminders.snoozedUntil).toBe(until);
  });

  it('rig push --json and rig pull --json print what was copied, skipped and kept, and the bytes sent', async () => {
    const project = join(scratch, 'project');
    await mkdir(project, { recursive: true });
    await writeFile(join(project, 'train.py'), 'print("train")\n');
    await writeFile(join(project, 'data.csv'), 'a,b\n1,2\n');
    const box = join(scratch, 'on-the-box');
    const pushed = await world.rig(['push', project, box, '--json']);
    expect(pushed.stderr).toContain('train.py');
    const push = parsed(pushed);
    expect(push).toMatchObject({ name: 'gpu', from: project, to: `gpu:${box}`, skipped: 0, ignored: 0, bytes: 15 + 8, kept: [] });
    expect([...(push.copied as string[])].sort()).toEqual(['data.csv', 'train.py']);
    expect(await readFile(join(box, 'train.py'), 'utf8')).toBe('print("train")\n');

    expect(parsed(await world.rig(['push', project, box, '--json']))).toMatchObject({ copied: [], skipped: 2, bytes: 0 });

    const here = join(scratch, 'pulled');
    const pull = parsed(await world.rig(['pull', box, here, '--json']));
    expect(pull).toMatchObject({ name: 'gpu', from: `gpu:${box}`, to: here, skipped: 0, bytes: 23, kept: [] });
    expect([...(pull.copied as string[])].sort()).toEqual(['data.csv', 'train.py']);
    expect(await readFile(join(here, 'data.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it('rig push refuses --json with --watch (a watch prints a line a push), in one line with its fix', async () => {
    const refused = await world.rig(['push', scratch, join(scratch, 'elsewhere'), '--json', '--watch']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/--json.*cannot be used with.*--watch.* Fix: /);
  });

  it('rig stop --json prints { name, instanceId, state } once EC2 says stopped', async () => {
    const stop = await world.rig(['stop', '--json']);
    expect(parsed(stop)).toEqual({ name: 'gpu', instanceId, state: 'stopped' });
    expect(stop.stderr).toMatch(/is stopped/);
    expect(await ec2State(instanceId)).toBe('stopped');
  });

  it('rig down --yes --json prints { name, instanceId, terminated, imageId } and the instance is terminated in EC2', async () => {
    const down = await world.rig(['down', '--yes', '--json']);
    expect(parsed(down)).toEqual({ name: 'gpu', instanceId, terminated: true, imageId: null });
    // The closing lines a person reads stay, on stderr.
    expect(down.stderr).toContain('Workstation gpu is terminated.');
    expect(await ec2State(instanceId)).toBe('terminated');
    expect(await liveInstances()).toEqual([]);
  });

  it('rig down --yes --save-image --json names the image it saved, which rig images --json lists', async () => {
    const launched = String(parsed(await world.rig(['up', '--json'])).instanceId);
    const down = parsed(await world.rig(['down', '--yes', '--save-image', '--json']));
    expect(down).toMatchObject({ name: 'gpu', instanceId: launched, terminated: true, imageId: expect.stringMatching(/^ami-/) });
    const images = parsed(await world.rig(['images', '--json'])) as unknown as Array<{ imageId: string; state: string }>;
    expect(images.map((i) => [i.imageId, i.state])).toContainEqual([down.imageId, 'available']);
    expect(await ec2State(launched)).toBe('terminated');
  });
});

describe('rig down on a terminal offers to save an image first', () => {
  const env = () => ({ ...world.env, CLOUDRIG_HOME: world.home });
  const SAVE = 'Save an image of gpu first';

  it('declining both questions (no image, no terminate) terminates nothing', async () => {
    const launched = String(parsed(await world.rig(['up', '--json'])).instanceId);
    const down = await answer(rigOnPty(['down'], env()), [[SAVE, 'n\r'], ['Terminate workstation gpu without saving an image (its disk is deleted)?', 'n\r']]);
    expect(down.code, down.output).toBe(0);
    expect(down.output).toContain('Nothing was terminated.');
    expect(await ec2State(launched)).toBe('running');
  });

  it('"save an image first", then yes: the image is saved and available, and the instance is terminated', async () => {
    const [launched] = await liveInstances();
    const imagesBefore = parsed(await world.rig(['images', '--json'])) as unknown as Array<{ imageId: string }>;
    const down = await answer(rigOnPty(['down'], env()), [[SAVE, 'y\r'], ['Terminate workstation gpu after saving an image?', 'y\r']]);
    expect(down.code, down.output).toBe(0);
    const saved = /Saved image: (ami-\w+)/.exec(down.output)?.[1];
    expect(saved, down.output).toBeDefined();
    const images = parsed(await world.rig(['images', '--json'])) as unknown as Array<{ imageId: string; state: string }>;
    expect(images.map((i) => i.imageId).filter((id) => !imagesBefore.some((b) => b.imageId === id))).toEqual([saved]);
    expect(images.find((i) => i.imageId === saved)?.state).toBe('available');
    expect(await ec2State(String(launched))).toBe('terminated');
  });

  it('"terminate without saving", then yes: the instance is terminated and no image is made', async () => {
    const launched = String(parsed(await world.rig(['up', '--json'])).instanceId);
    const imagesBefore = (parsed(await world.rig(['images', '--json'])) as unknown as unknown[]).length;
    const down = await answer(rigOnPty(['down'], env()), [[SAVE, 'n\r'], ['Terminate workstation gpu without saving an image (its disk is deleted)?', 'y\r']]);
    expect(down.code, down.output).toBe(0);
    expect(down.output).not.toContain('Saved image');
    expect(down.output).toContain('Workstation gpu is terminated.');
    expect((parsed(await world.rig(['images', '--json'])) as unknown as unknown[]).length).toBe(imagesBefore);
    expect(await ec2State(launched)).toBe('terminated');
  });
});

describe('rig up --json when the setup script fails', () => {
  it('still prints the object, with setupFailure and the running instance a script must stop; the log goes to stderr; exits non-zero', async () => {
    const script = join(scratch, 'setup.sh');
    await writeFile(script, '#!/bin/bash\ncurl -fsS https://julialang-s3.julialang.org/\n');
    // A launch from a saved image runs no setup script: the images saved above go first.
    for (const image of parsed(await world.rig(['images', '--json'])) as unknown as Array<{ imageId: string }>) {
      expect((await world.rig(['images', 'rm', image.imageId, '--yes'])).code).toBe(0);
    }
    const init = await world.rig(initArgs(world, ['--setup', script]));
    expect(init.code, init.stderr).toBe(0);
    // The box's side, as cloud-init leaves it: the script started on this boot, logged and exited 6.
    const dir = join(scratch, 'setup');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'started'), `${(await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim()}\n`);
    await writeFile(join(dir, 'setup.log'), 'curl: (6) Could not resolve host: julialang-s3.julialang.org\n');
    await writeFile(join(dir, 'exit'), '6\n');

    const up = await world.rig(['up', '--json'], { env: { CLOUDRIG_SETUP_DIR: dir } });
    expect(up.code).not.toBe(0);
    const json = JSON.parse(up.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'gpu', state: 'running', setupFailure: { code: 'SetupScriptFailed', message: 'The setup script failed (exit 6).' } });
    expect(await ec2State(String(json.instanceId))).toBe('running');
    expect(up.stderr).toContain('curl: (6) Could not resolve host');
    expect(up.stderr).toMatch(/^error: The setup script failed \(exit 6\)\..* Fix: /m);
  });
});
