import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeUserData } from '../fixtures/instance-boot.js';
import { setupScriptRunner } from '../../src/core/app/setup-script-runner.js';
import { initArgs, useRigWorld } from '../support/rig-harness.js';
import { waitUntil } from '../support/wait-until.js';

// A setup script installs what the user needs once, at launch, and they should see it run. Against
// moto + the cloud proxy + the sshd fixture: the setup script travels in the user data exactly
// once, and `rig up` streams its log over ssh. The test plays the instance side (cloud-init running
// the script): it writes the log and the markers where the runner would.
const world = useRigWorld({ eachTest: { init: false } });

const SCRIPT = `#!/bin/bash
set -euo pipefail
# Julia and CUDA.jl, once (see the README for the full example)
echo "installing julia"
`;

let box: string;
let scriptFile: string;
beforeEach(async () => {
  box = await mkdtemp(join(tmpdir(), 'cloudrig-box-'));
  scriptFile = join(box, 'setup.sh');
  await writeFile(scriptFile, SCRIPT);
});
afterEach(() => rm(box, { recursive: true, force: true }));

async function userDataOf(instanceId: string): Promise<string> {
  const ec2 = world.ec2();
  try {
    const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }));
    return decodeUserData(attribute.UserData?.Value ?? '');
  } finally {
    ec2.destroy();
  }
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Waits until `check` holds, looking every 100 ms. */
const until = (check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> => waitUntil(what, check, timeoutMs, 100);

const bootId = (): string => spawnSync('cat', ['/proc/sys/kernel/random/boot_id'], { encoding: 'utf8' }).stdout.trim();

async function initWithSetup(): Promise<void> {
  const init = await world.rig(initArgs(world, ['--setup', scriptFile]));
  expect(init.code, init.stderr).toBe(0);
  expect(init.stdout).toContain('Setup script: runs once on the first boot of the next fresh instance');
  await world.trustWorkstationKey();
}

function spawnUp() {
  const env = { CLOUDRIG_SETUP_DIR: join(box, 'setup') };
  Object.assign(world.env, env);
  return world.spawnRig(['up']);
}

describe('a setup script that runs once and streams to rig up', () => {
  it('is in the user data exactly once; rig up streams its log until it succeeds, then suggests saving an image', async () => {
    await initWithSetup();
    const up = spawnUp();
    const exited = new Promise<number>((resolve) => up.on('close', (code) => resolve(code ?? 1)));
    await until(() => up.output().includes('Following the setup script'), 'rig up to follow the setup');

    const { instanceId } = await world.statusJson();
    const userData = await userDataOf(String(instanceId));
    expect(occurrences(userData, 'echo "installing julia"')).toBe(1);
    expect(occurrences(userData, '# cloudrig-setup-script')).toBe(1);
    expect(occurrences(userData, 'filename="cloudrig-setup.sh"')).toBe(1);
    expect(userData).toContain('cloudrig-idle-check');

    // cloud-init starts the script: the marker, then the log grows line by line.
    const dir = join(box, 'setup');
    spawnSync('mkdir', ['-p', dir]);
    await writeFile(join(dir, 'started'), `${bootId()}\n`);
    await writeFile(join(dir, 'setup.log'), 'installing julia\n');
    await until(() => up.output().includes('setup| installing julia'), 'the first log line');
    await appendFile(join(dir, 'setup.log'), 'julia> using CUDA\nCUDA.jl ready');
    await until(() => up.output().includes('setup| julia> using CUDA'), 'the second line');
    // A line still being written is not shown half.
    expect(up.output()).not.toContain('CUDA.jl ready');
    await appendFile(join(dir, 'setup.log'), '\n');
    await writeFile(join(dir, 'exit'), '0\n');
    expect(await exited).toBe(0);
    const output = up.output();
    expect(output.indexOf('setup| installing julia')).toBeLessThan(output.indexOf('setup| CUDA.jl ready'));
    expect(occurrences(output, 'setup| installing julia')).toBe(1);
    expect(output).toContain('The setup script finished. Save this set-up disk so the next launch starts ready: `rig down gpu --save-image` (in the app: Save image).');

    // Running again (no new launch, the script is done): nothing is replayed.
    const again = await world.rig(['up'], { env: { CLOUDRIG_SETUP_DIR: dir } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('setup|');
  });

  it('a failure ends rig up with the last lines and what to do', async () => {
    await initWithSetup();
    const up = spawnUp();
    const exited = new Promise<number>((resolve) => up.on('close', (code) => resolve(code ?? 1)));
    await until(() => up.output().includes('Following the setup script'), 'rig up to follow the setup');
    const dir = join(box, 'setup');
    spawnSync('mkdir', ['-p', dir]);
    await writeFile(join(dir, 'started'), `${bootId()}\n`);
    await writeFile(join(dir, 'setup.log'), 'installing julia\ncurl: (6) Could not resolve host: julialang-s3.julialang.org\n');
    await writeFile(join(dir, 'exit'), '6\n');
    expect(await exited).not.toBe(0);
    const output = up.output();
    expect(output).toContain('  curl: (6) Could not resolve host: julialang-s3.julialang.org');
    expect(output).toMatch(/error: The setup script failed \(exit 6\)\./);
    expect(output).toMatch(/Fix: Read the whole log on the box/);
  });

  it('rig init --setup refuses a missing or empty file with one line and its fix; --no-setup removes it', async () => {
    const missing = await world.rig(initArgs(world, ['--setup', join(box, 'nope.sh')]));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^error: Cannot read the setup script .*nope\.sh: .* Fix: --setup: name a readable shell script/m);
    await writeFile(join(box, 'empty.sh'), '  \n');
    const empty = await world.rig(initArgs(world, ['--setup', join(box, 'empty.sh')]));
    expect(empty.stderr).toMatch(/is empty; give a script with at least one command/);

    await initWithSetup();
    const kept = await world.rig(initArgs(world));
    expect(kept.code, kept.stderr).toBe(0);
    const settings = (): Promise<{ workstations: { gpu: { setupScript?: string } } }> => readFile(join(world.home, 'settings.json'), 'utf8').then(JSON.parse);
    expect((await settings()).workstations.gpu.setupScript).toBe(SCRIPT);
    expect((await world.rig(initArgs(world, ['--no-setup']))).code).toBe(0);
    expect((await settings()).workstations.gpu.setupScript).toBeUndefined();
  });
});

describe('the runner on the instance (bash, as cloud-init runs it)', () => {
  it('runs the script once per disk, logging to the file and writing the exit status; a second boot does not run it again', async () => {
    const dir = join(box, 'setup');
    const proof = join(box, 'ran');
    const runner = join(box, 'runner.sh');
    // The ssh user of this test is the one running it; the script appends to a proof file.
    await writeFile(runner, setupScriptRunner(`echo "run $(whoami)" >> ${proof}\necho to-the-log\nexit 3\n`, world.sshd.user));
    const run = () => spawnSync('bash', [runner], { encoding: 'utf8', env: { ...process.env, CLOUDRIG_SETUP_DIR: dir } });
    expect(run().status).toBe(0);
    expect(await readFile(join(dir, 'exit'), 'utf8')).toBe('3\n');
    expect(await readFile(join(dir, 'setup.log'), 'utf8')).toContain('to-the-log');
    const second = run();
    expect(second.stdout).toContain('already ran on this disk');
    expect((await readFile(proof, 'utf8')).trim().split('\n')).toEqual([`run ${world.sshd.user}`]);
    expect(existsSync(join(dir, 'started'))).toBe(true);
  });

  it('a script whose text holds the heredoc delimiter still arrives whole', async () => {
    const dir = join(box, 'setup');
    const runner = join(box, 'runner.sh');
    await writeFile(runner, setupScriptRunner('cat <<CLOUDRIG_SETUP_SCRIPT\ninner\nCLOUDRIG_SETUP_SCRIPT\necho after\n', world.sshd.user));
    expect(spawnSync('bash', [runner], { env: { ...process.env, CLOUDRIG_SETUP_DIR: dir } }).status).toBe(0);
    expect(await readFile(join(dir, 'setup.log'), 'utf8')).toBe('inner\nafter\n');
  });
});
