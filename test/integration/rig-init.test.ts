import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRigWorld } from '../support/rig-harness.js';
import { rigOnPty, type RigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

const world = useRigWorld({ eachTest: { init: false } });

/** A folder for AWS config files this file writes (none of the user's own is ever read). */
let awsDir = '';
beforeAll(async () => {
  awsDir = await mkdtemp(join(tmpdir(), 'cloudrig-aws-config-'));
});
afterAll(() => rm(awsDir, { recursive: true, force: true }));

/** An environment with no region anywhere: no AWS_REGION, config and credentials files that do not exist. */
function noRegionEnv(): NodeJS.ProcessEnv {
  return {
    AWS_REGION: undefined,
    AWS_PROFILE: undefined,
    AWS_CONFIG_FILE: join(awsDir, 'missing-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'missing-credentials'),
  };
}

interface SavedSpec {
  region: string;
  instanceType: string;
  diskGiB: number;
  autoStop: { idleMinutes: number };
}

/** The workstation's spec as the settings file holds it (undefined when none was saved). */
async function savedSpec(name = 'gpu'): Promise<SavedSpec | undefined> {
  const text = await readFile(join(world.home, 'settings.json'), 'utf8').catch(() => '{}');
  return (JSON.parse(text) as { workstations?: Record<string, SavedSpec> }).workstations?.[name];
}

/** Waits for `question` on the terminal, then types `answer` and Enter. */
async function answer(pty: RigOnPty, question: string, reply: string, seen = 0): Promise<void> {
  await waitUntil(`the question "${question}"`, () => pty.output().split(question).length > seen + 1 || pty.ended());
  expect(pty.ended(), pty.output()).toBe(false);
  pty.type(`${reply}\r`);
}

describe('rig init without flags', () => {
  it('takes the region from AWS_REGION and says so, with the default type, disk and idle minutes', async () => {
    const init = await world.rig(['init'], { env: { AWS_REGION: 'eu-west-1' } });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain('Region eu-west-1 (from AWS_REGION).');
    expect(init.stdout).toContain('Workstation gpu: g4dn.xlarge in eu-west-1');
    expect(await savedSpec()).toMatchObject({ region: 'eu-west-1', instanceType: 'g4dn.xlarge', diskGiB: 100, autoStop: { idleMinutes: 60 } });
  });

  it('takes the region of the AWS profile from the config file when AWS_REGION is not set', async () => {
    const config = join(awsDir, 'config');
    // With AWS_PROFILE set the SDK takes the profile's keys, not the environment's.
    await writeFile(config, '[default]\nregion = us-east-1\n\n[profile work]\nregion = eu-central-1\naws_access_key_id = testing\naws_secret_access_key = testing\n');
    const init = await world.rig(['init'], { env: { ...noRegionEnv(), AWS_CONFIG_FILE: config, AWS_PROFILE: 'work' } });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain(`Region eu-central-1 (from profile work in ${config}).`);
    expect((await savedSpec())?.region).toBe('eu-central-1');
  });

  it('with no region anywhere and no terminal, asks nothing and names --region in a fix that works when pasted', async () => {
    const init = await world.rig(['init'], { env: noRegionEnv() });
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('No region given, and neither AWS_REGION nor your AWS profile names one.');
    expect(init.stderr).toContain('--region: pass one, e.g. `rig init --region us-east-1` (or set AWS_REGION).');
    expect(await savedSpec()).toBeUndefined();

    const fixed = await world.rig(['init', '--region', 'us-east-1'], { env: noRegionEnv() });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await savedSpec())?.region).toBe('us-east-1');
  });

  it('prints the next step with the hourly rate from the price catalog', async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--name', 'box']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout.trim().split('\n').at(-1)).toMatch(/^Next: `rig up box` starts it \(about \$\d+\.\d\d\/h\)\.$/);
  });
});

describe('rig init --idle-minutes', () => {
  it('sets how many idle minutes stop the instance, shown by rig status --json', async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--idle-minutes', '15']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('stops after 15 idle minutes');
    expect((await savedSpec())?.autoStop.idleMinutes).toBe(15);
    expect(await world.statusJson()).toMatchObject({ idleStopMinutes: 15 });
  });

  it('changes a saved workstation\'s idle minutes and keeps the rest', async () => {
    expect((await world.rig(['init', '--region', 'us-east-1', '--disk', '200'])).code).toBe(0);
    const edit = await world.rig(['init', '--idle-minutes', '90']);
    expect(edit.code, edit.stderr).toBe(0);
    expect(await savedSpec()).toMatchObject({ region: 'us-east-1', diskGiB: 200, autoStop: { idleMinutes: 90 } });
  });

  it('refuses a value outside the range, naming it, and saves nothing', async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--idle-minutes', '3']);
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('"3" is not a whole number from 5 to 1440.');
    expect(init.stderr).toContain('Fix: --idle-minutes: pass a number from 5 to 1440.');
    expect(await savedSpec()).toBeUndefined();
  });
});

describe('rig init on a terminal', () => {
  it('asks for the region, type, disk and idle minutes, asks again after a refused answer, and saves the answers', async () => {
    const env = { ...world.env, CLOUDRIG_HOME: world.home, AWS_REGION: 'eu-west-1' };
    const pty = rigOnPty(['init'], env);
    await answer(pty, 'Region (from AWS_REGION) [eu-west-1]:', 'us-west-2');
    await answer(pty, 'Instance type', 'g5.xlarge');
    await answer(pty, 'Root disk in GiB [100]:', '250');
    await answer(pty, 'Stop after this many idle minutes [60]:', '2');
    await answer(pty, 'Stop after this many idle minutes [60]:', '30', 1);
    const { code, output } = await pty.exited;
    expect(code, output).toBe(0);
    expect(output).toContain('"2" is not a whole number from 5 to 1440. Fix: --idle-minutes: pass a number from 5 to 1440.');
    expect(output).toContain('Next: `rig up gpu` starts it');
    expect(await savedSpec()).toMatchObject({ region: 'us-west-2', instanceType: 'g5.xlarge', diskGiB: 250, autoStop: { idleMinutes: 30 } });
  });

  it('takes each default on Enter: the region from AWS_REGION, g4dn.xlarge, 100 GiB, 60 idle minutes', async () => {
    const env = { ...world.env, CLOUDRIG_HOME: world.home, AWS_REGION: 'eu-west-1' };
    const pty = rigOnPty(['init'], env);
    await answer(pty, 'Region (from AWS_REGION) [eu-west-1]:', '');
    await answer(pty, 'Instance type', '');
    await answer(pty, 'Root disk in GiB [100]:', '');
    await answer(pty, 'Stop after this many idle minutes [60]:', '');
    const { code, output } = await pty.exited;
    expect(code, output).toBe(0);
    expect(await savedSpec()).toMatchObject({ region: 'eu-west-1', instanceType: 'g4dn.xlarge', diskGiB: 100, autoStop: { idleMinutes: 60 } });
  });

  it('asks only for what the flags leave out, and lists the GPU types the quota allows to pick by number', async () => {
    // Running On-Demand G and VT instances: 4 vCPUs admit the xlarge types, not the 2xlarge ones.
    world.cloud.proxy.setQuota('L-DB2E81BA', 4);
    const env = { ...world.env, CLOUDRIG_HOME: world.home };
    const pty = rigOnPty(['init', '--region', 'us-east-1', '--disk', '120'], env);
    await waitUntil('the type question', () => pty.output().includes('Instance type') || pty.ended());
    const listed = /GPU types in us-east-1, cheapest first \(types your quota rules out are left out\):\n {2}1\) +(\S+)/.exec(pty.output());
    expect(listed, pty.output()).not.toBeNull();
    expect(pty.output()).toMatch(/^ {2}\d\) +g4dn\.xlarge /m);
    expect(pty.output()).not.toContain('2xlarge');
    pty.type('1\r');
    await answer(pty, 'Stop after this many idle minutes [60]:', '45');
    const { code, output } = await pty.exited;
    expect(code, output).toBe(0);
    expect(output).not.toContain('Region');
    expect(output).not.toContain('Root disk');
    expect(await savedSpec()).toMatchObject({ region: 'us-east-1', instanceType: listed![1], diskGiB: 120, autoStop: { idleMinutes: 45 } });
  });

  it('Ctrl-C at a question ends rig init with nothing saved and nothing made in AWS', async () => {
    const env = { ...world.env, CLOUDRIG_HOME: world.home };
    const pty = rigOnPty(['init'], env);
    await waitUntil('the region question', () => pty.output().includes('Region (from AWS_REGION) [us-east-1]:') || pty.ended());
    pty.pressCtrlC();
    const { code, output } = await pty.exited;
    expect(code).toBe(1);
    expect(output).toContain('Cancelled at a question; nothing was saved.');
    expect(await savedSpec()).toBeUndefined();
    expect(world.cloud.proxy.requestLog()).not.toContain('CreateKeyPair');
  });
});

describe('rig --help', () => {
  it('lists init first, the command a new user runs first', async () => {
    const help = await world.rig(['--help']);
    expect(help.stdout).toMatch(/^Commands:\n {2}init \[options\] +Save the workstation spec/m);
  });
});
