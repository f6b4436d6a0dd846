import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { followed, fixCommand, onTerminal, setupOnBox } from '../support/followed-fix.js';
import { initArgs, useRigWorld, type RigResult } from '../support/rig-harness.js';
import { rigOnPty } from '../support/rig-pty.js';
import { waitUntil } from '../support/wait-until.js';

// Each error's `Fix:` followed exactly as printed, for the errors of reaching a workstation and
// what it holds: ssh that does not answer, a lost private key, duplicate instances, images, and a
// question cancelled. The first runnable `rig …` command is taken out of the error line and run (on
// a terminal when it asks there); the next run then gets further. Against moto + the cloud proxy +
// sshd, through the CLI.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

async function init(extra: readonly string[] = []): Promise<void> {
  const result = await world.rig(initArgs(world, extra));
  expect(result.code, result.stderr).toBe(0);
}

function ok(result: RigResult): RigResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Workstation gpu set up with a setup script of `text` (in a scratch folder, beside the box's setup folder) and its key trusted. */
async function withSetupScript(text: string): Promise<{ scratch: string; script: string; box: string }> {
  const scratch = await mkdtemp(join(tmpdir(), 'cloudrig-setup-'));
  const script = join(scratch, 'setup.sh');
  await writeFile(script, text);
  await init(['--setup', script]);
  await world.trustWorkstationKey();
  return { scratch, script, box: join(scratch, 'box') };
}

/** The error line of a run that must fail with exit 1. */
function failed(result: RigResult): string {
  expect(result.code, result.stdout).toBe(1);
  return result.stderr;
}

describe('a fix followed as printed gets the command further (reaching the box)', () => {
  it(followed('SshTimeout', 'rig up gives up while ssh refuses the key: the printed rig up keeps waiting and finds it ready once ssh lets the key in'), async () => {
    await init();
    const stderr = failed(await world.rig(['up', '--timeout', '5']));
    expect(stderr).toMatch(/^error: .*ssh.* Fix: Run `rig up gpu` again to keep waiting\./m);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['up', 'gpu']);
    await world.trustWorkstationKey();
    ok(await world.rig(fix));
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'ready' });
  });

  it(followed('SshNotAnswering', 'rig ssh while ssh refuses the key: the printed rig status shows the instance running, and once ssh lets the key in the same ssh runs'), async () => {
    await init();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const stderr = failed(await world.rig(['ssh', '--', 'true']));
    expect(stderr).toMatch(/^error: Workstation gpu runs, but ssh to .* does not answer/m);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['status', 'gpu']);
    const status = ok(await world.rig(fix));
    expect(status.stdout).toMatch(/running/);
    await world.trustWorkstationKey();
    await waitUntil('status to say ready', async () => (await world.statusJson()).phase === 'ready');
    const again = ok(await world.rig(['ssh', '--', 'echo', 'in']));
    expect(again.stdout).toBe('in\n');
  });

  it(followed('KeyMissing', 'the private key deleted while the instance runs: the printed rig down ends it and the printed rig init makes a new key, and rig up then launches one that ssh reaches'), async () => {
    await init();
    await world.trustWorkstationKey();
    ok(await world.rig(['up']));
    await rm(join(world.home, 'keys'), { recursive: true, force: true });
    const stderr = failed(await world.rig(['ssh', '--', 'true']));
    expect(stderr).toMatch(/^error: The private key of .* is missing/m);
    const down = fixCommand(stderr);
    expect(down).toEqual(['down']);
    // No image: the box cannot be reached to be worth one; then terminate.
    const ended = await onTerminal(world, down, ['n', 'y']);
    expect(ended.code, ended.output).toBe(0);
    const newKey = fixCommand(stderr, 1);
    expect(newKey[0]).toBe('init');
    ok(await world.rig(newKey));
    await world.trustWorkstationKey();
    ok(await world.rig(['up']));
    expect(ok(await world.rig(['ssh', '--', 'echo', 'in'])).stdout).toBe('in\n');
  });

  it(followed('DuplicateInstances', 'two instances for one workstation: the printed rig down ends both on a terminal, and status then has no error'), async () => {
    await init();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const { instanceId } = await world.statusJson();
    // A second, as another tool (or a lost answer retried without a token) would start it.
    const ec2 = world.ec2();
    await ec2.send(new RunInstancesCommand({
      ImageId: (await world.instances())[0]!.ImageId, InstanceType: 'g4dn.xlarge', MinCount: 1, MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'cloudrig:workstation', Value: 'gpu' }, { Key: 'cloudrig:managed', Value: 'true' }] }],
    }));
    ec2.destroy();
    const status = await world.rig(['status', '--json']);
    const error = (JSON.parse(status.stdout) as { error: { code: string; fix: string } | null }).error;
    expect(error?.code).toBe('DuplicateInstances');
    const fix = fixCommand(`Fix: ${error!.fix}`);
    expect(fix).toEqual(['down', 'gpu']);
    const ended = await onTerminal(world, fix, ['n', 'y']);
    expect(ended.code, ended.output).toBe(0);
    const live = (await world.instances()).filter((i) => i.State?.Name !== 'terminated' && i.State?.Name !== 'shutting-down');
    expect(live).toEqual([]);
    expect(await world.statusJson()).toMatchObject({ state: 'absent', error: null });
    expect(instanceId).toBeDefined();
  });

  it(followed('NotOurImage', 'rig images rm of an image not saved from the workstation: the printed rig images lists its own, and one of those is removed'), async () => {
    await init();
    ok(await world.rig(['up', '--no-wait-ssh']));
    const stock = (await world.instances())[0]!.ImageId!;
    const stderr = failed(await world.rig(['images', 'rm', stock, '--yes']));
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['images', 'gpu']);
    const saved = ok(await world.rig(['down', '--save-image', '--yes']));
    const imageId = /Saved image: (ami-\w+)/.exec(saved.stdout)?.[1];
    expect(imageId).toBeDefined();
    const listed = ok(await world.rig(fix));
    expect(listed.stdout).toContain(imageId!);
    expect(listed.stdout).not.toContain(stock);
    ok(await world.rig(['images', 'rm', imageId!, '--yes']));
  });

  it(followed('Aborted', 'Ctrl-C at an init question: the printed rig init makes the workstation'), async () => {
    const rig = rigOnPty(['init'], { ...world.env, CLOUDRIG_HOME: world.home });
    await waitUntil('the first question', () => /Region/.test(rig.output()), 60_000);
    rig.pressCtrlC();
    const { code, output } = await rig.exited;
    expect(code).toBe(1);
    expect(output).toMatch(/Cancelled at a question; nothing was saved\./);
    const fix = fixCommand(output);
    expect(fix).toEqual(['init']);
    ok(await world.rig(fix));
    expect(await world.statusJson()).toMatchObject({ name: 'gpu', region: 'us-east-1', state: 'absent' });
  });

  it(followed('CannotResize', 'a spot instance cannot change type: the printed down --save-image, init and up relaunch it as the new type from its saved disk'), async () => {
    await init(['--spot']);
    ok(await world.rig(['up', '--no-wait-ssh']));
    const stderr = failed(await world.rig(['resize', 'gpu', 'g4dn.2xlarge', '--yes']));
    expect(stderr).toMatch(/is a spot instance: EC2 cannot change its type/);
    const down = fixCommand(stderr);
    expect(down).toEqual(['down', 'gpu', '--save-image']);
    const ended = await onTerminal(world, down, ['y']);
    expect(ended.code, ended.output).toBe(0);
    const imageId = /Saved image: (ami-\w+)/.exec(ended.output)?.[1];
    expect(imageId).toBeDefined();
    const spec = fixCommand(stderr, 1);
    expect(spec).toEqual(['init', '--name', 'gpu', '--type', 'g4dn.2xlarge']);
    ok(await world.rig(spec));
    const up = fixCommand(stderr, 2);
    expect(up).toEqual(['up', 'gpu']);
    await world.trustWorkstationKey();
    ok(await world.rig(up));
    const live = (await world.instances()).filter((i) => i.State?.Name === 'running');
    expect(live.map((i) => [i.InstanceType, i.ImageId])).toEqual([['g4dn.2xlarge', imageId]]);
  });

  it(followed('SetupScriptFailed', 'a failed setup script: the printed ssh shows its whole log, and after the script is fixed the printed down and up run it on a fresh instance'), async () => {
    const { scratch, script, box } = await withSetupScript('#!/bin/bash\ncurl -fsS https://julialang-s3.julialang.org/\n');
    // The box's side, as cloud-init leaves it: the script started on this boot, logged and exited 6.
    await setupOnBox(box, 'fetching julia\ncurl: (6) Could not resolve host: julialang-s3.julialang.org\n', 6);
    const env = { CLOUDRIG_SETUP_DIR: box };

    const stderr = failed(await world.rig(['up'], { env }));
    expect(stderr).toMatch(/^error: The setup script failed \(exit 6\)\./m);
    const read = fixCommand(stderr);
    expect(read).toEqual(['ssh', 'gpu', '--', 'cat', join(box, 'setup.log')]);
    const log = ok(await world.rig(read, { process: true }));
    expect(log.stdout).toBe('fetching julia\ncurl: (6) Could not resolve host: julialang-s3.julialang.org\n');

    // The user's part: the script fixed, and saved with the printed init (its FILE is theirs to name).
    await writeFile(script, '#!/bin/bash\necho fixed\n');
    ok(await world.rig(['init', '--name', 'gpu', '--setup', script]));
    const down = fixCommand(stderr, 1);
    expect(down).toEqual(['down', 'gpu']);
    const ended = await onTerminal(world, down, ['n', 'y']);
    expect(ended.code, ended.output).toBe(0);
    // The fresh instance's first boot runs the fixed script, which succeeds.
    await setupOnBox(box, 'fixed\n', 0);
    const up = fixCommand(stderr, 2);
    expect(up).toEqual(['up', 'gpu']);
    const fresh = ok(await world.rig(up, { env }));
    expect(fresh.stdout).toContain('fixed');
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'ready', setupFailure: null });
    await rm(scratch, { recursive: true, force: true });
  });

  it(followed('Timeout', 'rig up --timeout ends while the setup script runs: the printed rig up follows it again to its end'), async () => {
    const { scratch, box } = await withSetupScript('#!/bin/bash\npip install torch\n');
    // The box's side: the script started on this boot and is still running (no exit status yet).
    await setupOnBox(box, 'Collecting torch\n', null);
    const env = { CLOUDRIG_SETUP_DIR: box };

    const stderr = failed(await world.rig(['up', '--timeout', '20'], { env }));
    expect(stderr).toMatch(/^error: Stopped following the setup script of gpu: --timeout ran out; the script keeps running on the instance\./m);
    const fix = fixCommand(stderr);
    expect(fix).toEqual(['up', 'gpu']);
    // The printed command follows the script while it runs, to its end.
    world.env.CLOUDRIG_SETUP_DIR = box;
    try {
      const following = world.spawnRig(fix);
      const exited = new Promise<number | null>((resolve) => following.once('close', resolve));
      await waitUntil('rig up to follow the setup log again', () => following.output().includes('Collecting torch'));
      await setupOnBox(box, 'Collecting torch\nSuccessfully installed torch\n', 0);
      expect(await exited, following.output()).toBe(0);
      expect(following.output()).toContain('Successfully installed torch');
    } finally {
      delete world.env.CLOUDRIG_SETUP_DIR;
    }
    expect(await world.statusJson()).toMatchObject({ state: 'running', phase: 'ready', setupFailure: null });
    await rm(scratch, { recursive: true, force: true });
  });
});
