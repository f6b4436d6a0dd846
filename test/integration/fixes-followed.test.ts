import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followed, fixCommand } from '../support/followed-fix.js';
import { readyWorkstation, useRigWorld } from '../support/rig-harness.js';

// Each error's `Fix:` is a command that, run exactly as printed, makes progress: the test takes the
// first `rig …` command out of the error line, runs it, and runs the failed command again, which now
// gets further. Against moto + the cloud proxy + sshd, through the CLI.
const world = useRigWorld({ hold: { pendingMs: 300, stoppingMs: 300 }, eachTest: { init: false } });

/** Runs rig, expects it to fail with exit 1, and returns what it printed on stderr. */
async function fails(args: readonly string[]): Promise<string> {
  const result = await world.rig(args);
  expect(result.code, result.stdout).toBe(1);
  return result.stderr;
}

describe('a fix followed as printed gets the command further', () => {
  it(followed('NoWorkstation', 'no workstation yet: `rig up` says which init to run; after it, rig up launches'), async () => {
    const stderr = await fails(['up', '--no-wait-ssh']);
    expect(stderr).toMatch(/^error: No workstation is set up yet\./m);
    const fix = fixCommand(stderr);
    expect(fix[0]).toBe('init');
    const followed = await world.rig(fix);
    expect(followed.code, followed.stderr).toBe(0);
    const again = await world.rig(['up', '--no-wait-ssh']);
    expect(again.code, again.stderr).toBe(0);
    expect(await world.statusJson()).toMatchObject({ state: 'running' });
  });

  it(followed('WorkstationNotInThisHome', 'the home lost while an instance runs: the takeover init works as printed, and status shows the instance again'), async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host, '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]);
    expect(init.code, init.stderr).toBe(0);
    expect((await world.rig(['up', '--no-wait-ssh'])).code).toBe(0);
    const { instanceId } = await world.statusJson();
    await rm(world.home, { recursive: true, force: true });

    const stderr = await fails(['status']);
    const followed = await world.rig(fixCommand(stderr));
    expect(followed.code, followed.stderr).toBe(0);
    expect(await world.statusJson()).toMatchObject({ instanceId, state: 'running' });
  });

  it(followed('KeyPairWithoutPrivateKey', 'the private key deleted here: the key-pair fix works as printed, and rig up launches'), async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host, '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]);
    expect(init.code, init.stderr).toBe(0);
    await rm(join(world.home, 'keys'), { recursive: true, force: true });

    const stderr = await fails(['up', '--no-wait-ssh']);
    expect(stderr).toMatch(/but its private key is not at/);
    const followed = await world.rig(fixCommand(stderr));
    expect(followed.code, followed.stderr).toBe(0);
    const again = await world.rig(['up', '--no-wait-ssh']);
    expect(again.code, again.stderr).toBe(0);
  });

  it(followed('UnknownWorkstation', 'an unknown workstation name: the fix names one that exists or the init that makes it, and either works'), async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host, '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]);
    expect(init.code, init.stderr).toBe(0);
    const stderr = await fails(['status', 'gpux']);
    expect(stderr).toMatch(/There is no workstation gpux\. Known: gpu\./);
    const followed = await world.rig(fixCommand(stderr));
    expect(followed.code, followed.stderr).toBe(0);
  });

  it(followed('NotRunning', 'ssh to a stopped workstation: the fix starts it, and the same ssh then runs'), async () => {
    await readyWorkstation(world);
    expect((await world.rig(['stop'])).code).toBe(0);
    const stderr = await fails(['ssh', '--', 'true']);
    const fix = fixCommand(stderr);
    expect(fix[0]).toBe('up');
    const followed = await world.rig(fix);
    expect(followed.code, followed.stderr).toBe(0);
    const again = await world.rig(['ssh', '--', 'echo', 'on', 'the', 'box']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('on the box\n');
  });

  it(followed('NoInstance', 'stop with nothing running: the fix launches one'), async () => {
    const init = await world.rig(['init', '--region', 'us-east-1', '--type', 'g4dn.xlarge', '--ssh-host', world.sshd.host, '--ssh-port', String(world.sshd.port), '--ssh-user', world.sshd.user]);
    expect(init.code, init.stderr).toBe(0);
    const stop = await world.rig(['stop']);
    const printed = `${stop.stdout}${stop.stderr}`;
    const fix = fixCommand(printed.includes('Fix: ') ? printed : `Fix: ${printed}`);
    expect(fix[0]).toBe('up');
    const followed = await world.rig([...fix, '--no-wait-ssh']);
    expect(followed.code, followed.stderr).toBe(0);
    expect(await world.statusJson()).toMatchObject({ state: 'running' });
  });
});

